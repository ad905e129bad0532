"""Reading and writing the emulator's items as they are, and watching or changing ringbridge's DynamoDB requests."""

import contextlib
from collections.abc import Iterator
from typing import Any

from ringbridge import aws
from ringbridge.dal import table


@contextlib.contextmanager
def dynamodb_hook(event: str, handler: Any) -> Iterator[None]:
    """``handler`` on ringbridge's DynamoDB client's botocore ``event`` for the block: to read what a
    request asks, or to make DynamoDB's answer what it would be under a race or throttling."""
    hooks = aws.dynamodb().meta.events
    hooks.register(event, handler)
    try:
        yield
    finally:
        hooks.unregister(event, handler)


def account_items(account_id: str, sk_prefix: str = "") -> list[dict[str, Any]]:
    """Every item of the account's partition (those whose sort key starts with ``sk_prefix``): what a refused
    request must leave unchanged."""
    condition, values = "PK = :pk", {":pk": {"S": table.account_pk(account_id)}}
    if sk_prefix:
        condition += " AND begins_with(SK, :prefix)"
        values[":prefix"] = {"S": sk_prefix}
    answer = aws.dynamodb().query(
        TableName=table.name(), KeyConditionExpression=condition, ExpressionAttributeValues=values, ConsistentRead=True
    )
    return answer["Items"]


def store_as_is(account_id: str, sk: str, name: str, value: dict[str, Any]) -> None:
    """``value`` (DynamoDB's typed form) written into one of the account's items as it is, past the models'
    checks: what an earlier version, or a hand, could have stored."""
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=table.key(table.account_pk(account_id), sk),
        UpdateExpression="SET #name = :value",
        ExpressionAttributeNames={"#name": name},
        ExpressionAttributeValues={":value": value},
    )
