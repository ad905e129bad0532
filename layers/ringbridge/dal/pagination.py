"""Opaque page cursors over one account's items of one kind.

A cursor carries only the sort key where the previous page stopped; the partition key is
always rebuilt from the caller's own account, so a cursor can never reach another account.
"""

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

from ringbridge.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Longer than any sort key we write, far below DynamoDB's 1,024-byte limit on a sort key.
MAX_KEY_BYTES = 256


def encode(sort_key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": sort_key}).encode()).decode().rstrip("=")


def decode(cursor: str, prefix: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort_key = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise InvalidInput("is not a cursor this API returned", field="cursor") from None
    if not isinstance(sort_key, str) or not sort_key.startswith(prefix) or len(sort_key.encode()) > MAX_KEY_BYTES:
        raise InvalidInput("is not a cursor for this list", field="cursor")
    return sort_key


def query_page(
    client: Any, table_name: str, pk: str, prefix: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One Query: up to ``limit`` items whose sort key starts with ``prefix``, and the next cursor."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
        "Limit": limit,
    }
    if cursor:
        request["ExclusiveStartKey"] = {"PK": {"S": pk}, "SK": {"S": decode(cursor, prefix)}}
    answer = client.query(**request)
    last = answer.get("LastEvaluatedKey")
    return answer["Items"], (encode(last["SK"]["S"]) if last else None)


def query_pages(client: Any, request: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The pages of one Query (up to 1 MB, or ``Limit`` items, each), read only as the caller takes them."""
    for page, _ in query_pages_with_ends(client, request):
        yield page


def query_pages_with_ends(
    client: Any, request: dict[str, Any]
) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
    """``query_pages``, each page with the key it ended at (its LastEvaluatedKey; None: the last page), for a
    caller that keeps where it got."""
    while True:
        answer = client.query(**request)
        last = answer.get("LastEvaluatedKey")
        yield answer["Items"], last
        if last is None:
            return
        request = {**request, "ExclusiveStartKey": last}


def partition_items(
    client: Any, table_name: str, pk: str, attributes: str, *, consistent: bool = False
) -> Iterator[dict[str, Any]]:
    """The ``attributes`` (a ProjectionExpression) of every item of a small partition of ids, such as a
    registry, one Query page at a time; items as DynamoDB answers them."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ProjectionExpression": attributes,
        "ConsistentRead": consistent,
    }
    for page in query_pages(client, request):
        yield from page


def query_all(
    client: Any, table_name: str, pk: str, prefix: str, cursor: str | None
) -> Iterator[tuple[dict[str, Any], str]]:
    """Every item after ``cursor`` whose sort key starts with ``prefix``, with its sort key, in order.

    One Query per page of up to 1 MB, read only as the caller consumes the items: a caller that
    stops early leaves the rest unread.
    """
    request: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
    }
    if cursor:
        request["ExclusiveStartKey"] = {"PK": {"S": pk}, "SK": {"S": decode(cursor, prefix)}}
    for page in query_pages(client, request):
        for item in page:
            yield item, item["SK"]["S"]
