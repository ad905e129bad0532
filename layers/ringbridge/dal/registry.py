"""The registries: the accounts a scheduled run serves, found without a Scan.

    PK                    SK     what
    RINGOSTAT#ACCOUNTS    <a>    accounts whose contacts and organizations are synced to Ringostat
    RINGCLOUD#ACCOUNTS    <a>    accounts whose calls are imported from RingCloud

A registry is one small partition that its run reads whole. An entry holds the account id (no data) and
when that account's last run started (``last_run_at``), so that a run takes the accounts least recently
run first and none is starved by those before it. Entries are written and removed in the same
transaction as the account's configuration (``put`` and ``delete`` answer transaction items).
"""

import contextlib
from typing import Any, Literal

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.pagination import partition_items
from ringbridge.dal.table import from_item, key, to_item

Registry = Literal["RINGOSTAT#ACCOUNTS", "RINGCLOUD#ACCOUNTS"]
RINGOSTAT: Registry = "RINGOSTAT#ACCOUNTS"
RINGCLOUD: Registry = "RINGCLOUD#ACCOUNTS"
ALL: tuple[Registry, ...] = (RINGOSTAT, RINGCLOUD)


def put(registry: Registry, account_id: str) -> dict[str, Any]:
    """The transaction item that enters the account (a new entry: never run yet)."""
    return {"Put": {"TableName": table.name(), "Item": to_item({"PK": registry, "SK": account_id})}}


def delete(registry: Registry, account_id: str) -> dict[str, Any]:
    """The transaction item that takes the account out."""
    return {"Delete": {"TableName": table.name(), "Key": key(registry, account_id)}}


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
