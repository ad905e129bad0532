"""The registries: the accounts a scheduled run serves, found without a Scan.

    PK                    SK     what
    RINGOSTAT#ACCOUNTS    <a>    accounts whose contacts and organizations are synced to Ringostat
    RINGCLOUD#ACCOUNTS    <a>    accounts whose calls are imported from RingCloud

A registry is one small partition that its run reads whole. An entry holds the account id (no data) and
when that account's last run started (``last_run_at``), so that a run takes the accounts least recently
run first and none is starved by those before it.

A vendor's configuration of an account is written, read and removed here, the same way for every vendor: the
configuration item (``ACCOUNT#<a>`` / ``<VENDOR>#CONFIG``) and the registry entry are written and removed in
one transaction; the vendor's module (dal.ringostat, dal.ringcloud) names its items and adds its own writes.
"""

import contextlib
from typing import Any, Literal

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.pagination import partition_items
from ringbridge.dal.table import account_pk, from_item, key, to_item

Registry = Literal["RINGOSTAT#ACCOUNTS", "RINGCLOUD#ACCOUNTS"]
RINGOSTAT: Registry = "RINGOSTAT#ACCOUNTS"
RINGCLOUD: Registry = "RINGCLOUD#ACCOUNTS"
ALL: tuple[Registry, ...] = (RINGOSTAT, RINGCLOUD)


def put_config(
    registry: Registry, account_id: str, config_sk: str, config: dict[str, Any], *also: dict[str, Any]
) -> None:
    """Write the account's configuration item and its registry entry (a new entry: never run yet) in one
    transaction, with the transaction items ``also``."""
    config_item = to_item({"PK": account_pk(account_id), "SK": config_sk, **config})
    table.transact(
        [
            {"Put": {"TableName": table.name(), "Item": config_item}},
            {"Put": {"TableName": table.name(), "Item": to_item({"PK": registry, "SK": account_id})}},
            *also,
        ]
    )


def delete_config(registry: Registry, account_id: str, config_sk: str, *other_sks: str) -> bool:
    """Delete the account's configuration item, its items ``other_sks`` and its registry entry in one
    transaction; False (nothing deleted) when the account has no configuration."""
    pk = account_pk(account_id)
    writes: list[dict[str, Any]] = [
        {
            "Delete": {
                "TableName": table.name(),
                "Key": key(pk, config_sk),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        *({"Delete": {"TableName": table.name(), "Key": key(pk, sk)}} for sk in other_sks),
        {"Delete": {"TableName": table.name(), "Key": key(registry, account_id)}},
    ]
    try:
        table.transact(writes)
    except table.TransactionCancelled as cancelled:
        if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def config_and_status(
    account_id: str, config_sk: str, status_sk: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The account's configuration and status items (None: absent) in one strongly consistent round trip."""
    found = table.get_items(account_id, [config_sk, status_sk])
    return found.get(config_sk), found.get(status_sk)


def configs_and_statuses(
    registry: Registry, account_id: str | None, config_sk: str, status_sk: str
) -> list[dict[str, Any]]:
    """``{"account_id", "config" (None: not configured), "status" ({}: never run)}`` of the account named, else
    of every account in the registry, least recently run first."""
    found = []
    for each in [account_id] if account_id is not None else accounts(registry):
        config, status = config_and_status(each, config_sk, status_sk)
        found.append({"account_id": each, "config": config, "status": status or {}})
    return found


def accounts(registry: Registry) -> list[str]:
    """Every account in the registry, least recently run first (never run: first of all)."""
    entries = [from_item(item) for item in partition_items(aws.dynamodb(), table.name(), registry, "SK, last_run_at")]
    return [entry["SK"] for entry in sorted(entries, key=lambda entry: (entry.get("last_run_at", ""), entry["SK"]))]


def mark_run(registry: Registry, account_id: str, at: str) -> None:
    """Record when the account's run started: it orders the next run's accounts."""
    client = aws.dynamodb()
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):  # removed meanwhile: stays so
        client.update_item(
            TableName=table.name(),
            Key=key(registry, account_id),
            UpdateExpression="SET last_run_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_item({":at": at}),
        )
