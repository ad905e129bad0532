"""Accounts, CRM users and API tokens in the table."""

from typing import Any

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.table import account_pk, changes_pk, from_item, key, strip_keys, to_item
from ringbridge.errors import NotFound

ACCOUNT_SK = "ACCOUNT"


def token_sk(key_id: str) -> str:
    return f"TOKEN#{key_id}"


def user_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def put_account(account: dict[str, Any]) -> None:
    aws.dynamodb().put_item(
        TableName=table.name(),
        Item=to_item({"PK": account_pk(account["id"]), "SK": ACCOUNT_SK, **account}),
        ConditionExpression="attribute_not_exists(PK)",
    )


def get_account(account_id: str) -> dict[str, Any]:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), ACCOUNT_SK), ConsistentRead=True
    )
    if "Item" not in answer:
        raise NotFound("no such account", field="account_id")
    return strip_keys(from_item(answer["Item"]))


def get_token_and_account(account_id: str, key_id: str) -> tuple[dict | None, dict | None]:
    """Both items in one round trip (they share the account's partition)."""
    keys = [key(account_pk(account_id), token_sk(key_id)), key(account_pk(account_id), ACCOUNT_SK)]
    answer = aws.dynamodb().batch_get_item(RequestItems={table.name(): {"Keys": keys, "ConsistentRead": True}})
    token = account = None
    for item in answer["Responses"].get(table.name(), []):
        values = from_item(item)
        if values["SK"] == ACCOUNT_SK:
            account = strip_keys(values)
        else:
            token = strip_keys(values)
    # Unprocessed keys only happen under throttling; treat as not found rather than guess.
    return token, account


def put_token(account_id: str, token: dict[str, Any]) -> None:
    aws.dynamodb().put_item(
        TableName=table.name(),
        Item=to_item({"PK": account_pk(account_id), "SK": token_sk(token["key_id"]), **token}),
        ConditionExpression="attribute_not_exists(PK)",
    )


def revoke_token(account_id: str, key_id: str, revoked_at: str) -> None:
    client = aws.dynamodb()
    try:
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), token_sk(key_id)),
            UpdateExpression="SET revoked_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":at": {"S": revoked_at}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        raise NotFound("no such token", field="token_id") from None


def set_token_rate_limit(account_id: str, key_id: str, per_minute: int | None) -> None:
    """Set (or, with None, remove) a token's rate limit."""
    client = aws.dynamodb()
    change: dict[str, Any] = {"UpdateExpression": "REMOVE rate_limit_per_minute"}
    if per_minute is not None:
        change = {
            "UpdateExpression": "SET rate_limit_per_minute = :limit",
            "ExpressionAttributeValues": {":limit": {"N": str(per_minute)}},
        }
    try:
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), token_sk(key_id)),
            ConditionExpression="attribute_exists(PK)",
            **change,
        )
    except client.exceptions.ConditionalCheckFailedException:
        raise NotFound("no such token", field="token_id") from None


def count_request(account_id: str, key_id: str, minute: int, limit: int) -> bool:
    """Count one request of a token in this minute; False (and not counted) once ``limit`` are counted.

    One conditional UpdateItem on ``RATE#<key id>#<minute>``, an item TTL removes a few minutes later.
    """
    client = aws.dynamodb()
    try:
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), f"RATE#{key_id}#{minute}"),
            UpdateExpression="ADD requests :one SET expires_at = if_not_exists(expires_at, :expires)",
            ConditionExpression="attribute_not_exists(requests) OR requests < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":expires": {"N": str((minute + 5) * 60)},
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def list_tokens(account_id: str) -> list[dict[str, Any]]:
    return _query_prefix(account_id, "TOKEN#")


def put_user(account_id: str, user: dict[str, Any]) -> None:
    # CHG_*: the user is in the Ringio users feed (the ChangesIndex).
    item = {
        "PK": account_pk(account_id),
        "SK": user_sk(user["id"]),
        "CHG_PK": changes_pk(account_id, "USER"),
        "CHG_SK": f"{user['updated_at']}#{user['id']}",
        **user,
    }
    aws.dynamodb().put_item(TableName=table.name(), Item=to_item(item), ConditionExpression="attribute_not_exists(PK)")


def get_user(account_id: str, user_id: str) -> dict[str, Any] | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), user_sk(user_id)), ConsistentRead=True
    )
    return strip_keys(from_item(answer["Item"])) if "Item" in answer else None


def list_users(account_id: str) -> list[dict[str, Any]]:
    return _query_prefix(account_id, "USER#")


def _query_prefix(account_id: str, prefix: str) -> list[dict[str, Any]]:
    """All items of one kind in an account (users, tokens: small sets), following pages."""
    client = aws.dynamodb()
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": account_pk(account_id)}, ":prefix": {"S": prefix}},
    }
    while True:
        answer = client.query(**request)
        items.extend(strip_keys(from_item(item)) for item in answer["Items"])
        if "LastEvaluatedKey" not in answer:
            return items
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
