"""What retiring an account reads and deletes (see logic.account_deletion): never a Scan.

    PK                    SK     what
    DELETING#ACCOUNTS     <a>    an account being deleted: how far it got (removed when it is done)

Everything else is found from the account's own partition (``ACCOUNT#<a>``): its contacts name their
phone copies (``ACCOUNT#<a>#PHONE#<e164>``), and the change indexes hold only projections of the
account's items, which go with them. The registries are keyed by the account id.
"""

from collections.abc import Iterator
from typing import Any

from ringbridge import aws
from ringbridge.dal import registry, table
from ringbridge.dal.pagination import partition_items
from ringbridge.dal.table import account_pk, from_item, key, phone_pk, strip_keys, to_item

DELETIONS_PK = "DELETING#ACCOUNTS"
BATCH_WRITE_MAX_ITEMS = 25  # BatchWriteItem's limit
DELETE_PARAMETERS_MAX_NAMES = 10  # DeleteParameters' limit


def get_status(account_id: str) -> dict[str, Any] | None:
    answer = aws.dynamodb().get_item(TableName=table.name(), Key=key(DELETIONS_PK, account_id), ConsistentRead=True)
    return strip_keys(from_item(answer["Item"])) if "Item" in answer else None


def put_status(account_id: str, status: dict[str, Any]) -> None:
    item = {"PK": DELETIONS_PK, "SK": account_id, **status}
    aws.dynamodb().put_item(TableName=table.name(), Item=to_item(item))


def delete_status(account_id: str) -> None:
    aws.dynamodb().delete_item(TableName=table.name(), Key=key(DELETIONS_PK, account_id))


def pending() -> Iterator[str]:
    """The accounts whose deletion has started and not finished (one Query)."""
    for item in partition_items(aws.dynamodb(), table.name(), DELETIONS_PK, "SK", consistent=True):
        yield item["SK"]["S"]


def key_pages(account_id: str, prefix: str = "") -> Iterator[list[dict[str, Any]]]:
    """The keys of the account's items whose sort key starts with ``prefix``, a batch write's worth at a time.

    Each page is read again from the start of what is left: a caller deletes a page before taking the next.
    """
    while True:
        page = _query(account_id, prefix, "PK, SK", BATCH_WRITE_MAX_ITEMS)
        if not page:
            return
        yield [{"PK": item["PK"], "SK": item["SK"]} for item in page]


def contact_pages(account_id: str) -> Iterator[list[dict[str, Any]]]:
    """The account's contacts (key and numbers), a few at a time, read again from what is left."""
    while True:
        page = _query(account_id, "CONTACT#", "PK, SK, phones", BATCH_WRITE_MAX_ITEMS)
        if not page:
            return
        yield page


def phone_copy_keys(account_id: str, contact: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of a contact's copies per number (contact: an item as ``contact_pages`` reads it)."""
    numbers = {phone["M"]["e164"]["S"] for phone in contact.get("phones", {}).get("L", [])}
    return [key(phone_pk(account_id, e164), contact["SK"]["S"]) for e164 in sorted(numbers)]


def _query(account_id: str, prefix: str, projection: str, limit: int) -> list[dict[str, Any]]:
    condition, values = "PK = :pk", {":pk": {"S": account_pk(account_id)}}
    if prefix:  # DynamoDB refuses begins_with an empty string
        condition, values = f"{condition} AND begins_with(SK, :prefix)", {**values, ":prefix": {"S": prefix}}
    answer = aws.dynamodb().query(
        TableName=table.name(),
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
        ProjectionExpression=projection,
        ConsistentRead=True,
        Limit=limit,
    )
    items: list[dict[str, Any]] = answer["Items"]
    return items


def delete_keys(keys: list[dict[str, Any]]) -> None:
    """Delete these items (at most 25): one BatchWriteItem, again for what it left unprocessed."""
    request: dict[str, Any] = {table.name(): [{"DeleteRequest": {"Key": item_key}} for item_key in keys]}
    while request:
        answer = aws.dynamodb().batch_write_item(RequestItems=request)
        request = answer.get("UnprocessedItems") or {}


def registry_keys(account_id: str) -> list[dict[str, Any]]:
    """The account's entries in the registries of the scheduled jobs (Ringostat, RingCloud)."""
    return [key(each, account_id) for each in registry.ALL]


def parameter_names(path: str) -> list[str]:
    """The SSM parameters under ``path`` (recursively)."""
    pages = aws.ssm().get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True)
    return [parameter["Name"] for page in pages for parameter in page["Parameters"]]


def delete_parameters(names: list[str]) -> None:
    for first in range(0, len(names), DELETE_PARAMETERS_MAX_NAMES):
        aws.ssm().delete_parameters(Names=names[first : first + DELETE_PARAMETERS_MAX_NAMES])
