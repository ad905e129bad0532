"""Ringostat sync items: per-account config and status, the registry of configured accounts, changes.

    PK                    SK                  what
    ACCOUNT#<a>           RINGOSTAT#CONFIG    project id, origin, contact-link template
    ACCOUNT#<a>           RINGOSTAT#STATUS    watermarks, last outcome, counters
    RINGOSTAT#ACCOUNTS    <a>                 the registry of configured accounts (dal.registry)

The status item also holds the account's send lease (``send_lease_until``, ``send_lease_holder``):
whoever POSTs to Ringostat for the account (the scheduled run or the stream push) holds it.

The registry entry is written and removed in the same transaction as the config. The auth key is an SSM
SecureString (see logic.ringostat_config), never an item.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from ringbridge import aws
from ringbridge.dal import registry, table
from ringbridge.dal.pagination import query_pages
from ringbridge.dal.table import CHANGES_INDEX, account_pk, changes_pk, from_item, key

CONFIG_SK = "RINGOSTAT#CONFIG"
STATUS_SK = "RINGOSTAT#STATUS"
ITEM_SK_PREFIXES = {"ORGANIZATION": "ORG#", "CONTACT": "CONTACT#"}
WATERMARKS = {"ORGANIZATION": "organizations_watermark", "CONTACT": "contacts_watermark"}
SENT_COUNTERS = {"ORGANIZATION": "organizations_sent", "CONTACT": "contacts_sent"}


def put_config(account_id: str, config: dict[str, Any], reset_watermarks: bool) -> None:
    """Write the config and the registry entry together; optionally restart the sync from scratch."""
    also = [_watermarks_removal(account_id)] if reset_watermarks else []
    registry.put_config(registry.RINGOSTAT, account_id, CONFIG_SK, config, *also)


def _watermarks_removal(account_id: str) -> dict[str, Any]:
    """The transaction item that forgets how far the sync got: it starts again from the first change."""
    return {
        "Update": {
            "TableName": table.name(),
            "Key": key(account_pk(account_id), STATUS_SK),
            "UpdateExpression": f"REMOVE {', '.join(WATERMARKS.values())}",
        }
    }


def delete_config(account_id: str) -> bool:
    """Remove the config, the status and the registry entry together; False if none was configured."""
    return registry.delete_config(registry.RINGOSTAT, account_id, CONFIG_SK, STATUS_SK)


def configured_accounts() -> list[str]:
    """Every configured account, least recently run first."""
    return registry.accounts(registry.RINGOSTAT)


def get_config_and_status(account_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Both items of an account in one strongly consistent round trip."""
    return registry.config_and_status(account_id, CONFIG_SK, STATUS_SK)


def configs_and_statuses(account_id: str | None) -> list[dict[str, Any]]:
    """The account's config and status, else every configured account's (see registry.configs_and_statuses)."""
    return registry.configs_and_statuses(registry.RINGOSTAT, account_id, CONFIG_SK, STATUS_SK)


def changes_after(account_id: str, entity: str, after: str | None, page_size: int) -> Iterator[list[dict[str, Any]]]:
    """Pages of the account's contacts or organizations whose change key is after ``after``, oldest first.

    A page is one Query on the ChangesIndex (eventually consistent, as every GSI read is).
    """
    values: dict[str, Any] = {":pk": {"S": changes_pk(account_id, entity)}}
    condition = "CHG_PK = :pk"
    if after:
        condition += " AND CHG_SK > :after"
        values[":after"] = {"S": after}
    request: dict[str, Any] = {
        "TableName": table.name(),
        "IndexName": CHANGES_INDEX,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
        "Limit": page_size,
    }
    for page in query_pages(aws.dynamodb(), request):
        if page:
            yield [from_item(item) for item in page]


def record_accepted(account_id: str, entity: str, watermark: str, count: int, now: str) -> None:
    """Move the entity's watermark past a batch Ringostat accepted, and count it."""
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=key(account_pk(account_id), STATUS_SK),
        UpdateExpression=f"SET {WATERMARKS[entity]} = :watermark, last_sent_at = :now ADD {SENT_COUNTERS[entity]} :n",
        ExpressionAttributeValues={":watermark": {"S": watermark}, ":now": {"S": now}, ":n": {"N": str(count)}},
    )


def record_run(account_id: str, now: str, error: str | None, batches_failed: int) -> None:
    """The outcome of an account's run: a success clears the last error, a failure keeps the last success.
    The registry entry learns when the run was, which orders the next run's accounts."""
    values: dict[str, Any] = {":now": {"S": now}}
    if error is None:
        expression = "SET last_run_at = :now, last_success_at = :now REMOVE last_error, last_error_at"
    else:
        expression = "SET last_run_at = :now, last_error = :error, last_error_at = :now"
        values[":error"] = {"S": error}
    if batches_failed:
        expression = expression.replace("SET", "ADD batches_failed :failed SET", 1)
        values[":failed"] = {"N": str(batches_failed)}
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=key(account_pk(account_id), STATUS_SK),
        UpdateExpression=expression,
        ExpressionAttributeValues=values,
    )
    registry.mark_run(registry.RINGOSTAT, account_id, now)


def current_items(account_id: str, entity: str, item_ids: list[str]) -> list[dict[str, Any]]:
    """The items as they are now (strongly consistent), in ``item_ids`` order; deleted ones are absent."""
    prefix = ITEM_SK_PREFIXES[entity]
    found = table.get_items(account_id, [prefix + item_id for item_id in item_ids])
    return [found[prefix + item_id] for item_id in dict.fromkeys(item_ids) if prefix + item_id in found]


def take_send_lease(account_id: str, holder: str, now_ms: int, until_ms: int) -> bool:
    """Take the account's send lease unless someone else holds one that has not expired."""
    client = aws.dynamodb()
    try:
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), STATUS_SK),
            UpdateExpression="SET send_lease_until = :until, send_lease_holder = :holder",
            ConditionExpression="attribute_not_exists(send_lease_until) OR send_lease_until < :now",
            ExpressionAttributeValues={
                ":until": {"N": str(until_ms)},
                ":holder": {"S": holder},
                ":now": {"N": str(now_ms)},
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def release_send_lease(account_id: str, holder: str) -> None:
    """Give the lease back, if it is still ours (an expired lease may have been taken by another sender)."""
    client = aws.dynamodb()
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), STATUS_SK),
            UpdateExpression="REMOVE send_lease_until, send_lease_holder",
            ConditionExpression="send_lease_holder = :holder",
            ExpressionAttributeValues={":holder": {"S": holder}},
        )


def record_push(account_id: str, now: str, error: str | None, organizations: int, contacts: int) -> None:
    """The outcome of a push: a success counts what was sent and clears the last error; a failure records it."""
    values: dict[str, Any] = {":now": {"S": now}}
    if error is None:
        expression = (
            "SET last_push_at = :now ADD organizations_pushed :organizations, contacts_pushed :contacts "
            "REMOVE last_error, last_error_at"
        )
        values.update({":organizations": {"N": str(organizations)}, ":contacts": {"N": str(contacts)}})
    else:
        expression = "SET last_error = :error, last_error_at = :now ADD batches_failed :one"
        values.update({":error": {"S": error}, ":one": {"N": "1"}})
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=key(account_pk(account_id), STATUS_SK),
        UpdateExpression=expression,
        ExpressionAttributeValues=values,
    )
