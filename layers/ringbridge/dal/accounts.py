"""Accounts, CRM users and API tokens in the table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.pagination import query_pages
from ringbridge.dal.table import account_pk, changes_pk, from_item, key, strip_keys, to_item
from ringbridge.errors import Conflict, NotFound

if TYPE_CHECKING:
    from ringbridge.dal.items import AccountItem, ApiTokenItem, ExtensionClaim, StoredAccount, StoredUser, UserItem

ACCOUNT_SK = "ACCOUNT"


def token_sk(key_id: str) -> str:
    return f"TOKEN#{key_id}"


def user_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def put_account(account: AccountItem) -> None:
    item: StoredAccount = {"PK": account_pk(account["id"]), "SK": ACCOUNT_SK, **account}
    aws.dynamodb().put_item(
        TableName=table.name(),
        Item=to_item(item),
        ConditionExpression="attribute_not_exists(PK)",
    )


def get_account(account_id: str) -> AccountItem:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), ACCOUNT_SK), ConsistentRead=True
    )
    if "Item" not in answer:
        raise NotFound("no such account", field="account_id")
    return cast("AccountItem", strip_keys(from_item(answer["Item"])))


def get_token_and_account(account_id: str, key_id: str) -> tuple[ApiTokenItem | None, AccountItem | None]:
    """Both items in one round trip (they share the account's partition)."""
    keys = [key(account_pk(account_id), token_sk(key_id)), key(account_pk(account_id), ACCOUNT_SK)]
    answer = aws.dynamodb().batch_get_item(RequestItems={table.name(): {"Keys": keys, "ConsistentRead": True}})
    token: ApiTokenItem | None = None
    account: AccountItem | None = None
    for item in answer["Responses"].get(table.name(), []):
        values = from_item(item)
        if values["SK"] == ACCOUNT_SK:
            account = cast("AccountItem", strip_keys(values))
        else:
            token = cast("ApiTokenItem", strip_keys(values))
    # Unprocessed keys only happen under throttling; treat as not found rather than guess.
    return token, account


def put_token(account_id: str, token: ApiTokenItem) -> None:
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
    _set_or_remove(key(account_pk(account_id), token_sk(key_id)), "rate_limit_per_minute", per_minute, "token")


def set_recording_retention(account_id: str, days: int | None) -> None:
    """Set (or, with None, remove) the account's own recording retention, in days."""
    _set_or_remove(key(account_pk(account_id), ACCOUNT_SK), "recording_retention_days", days, "account")


def _set_or_remove(item_key: dict[str, Any], attribute: str, value: int | None, what: str) -> None:
    """One number attribute of an existing item set, or removed with None; 404 if the item is not there."""
    client = aws.dynamodb()
    change: dict[str, Any] = {"UpdateExpression": f"REMOVE {attribute}"}
    if value is not None:
        change = {
            "UpdateExpression": f"SET {attribute} = :value",
            "ExpressionAttributeValues": {":value": {"N": str(value)}},
        }
    try:
        client.update_item(TableName=table.name(), Key=item_key, ConditionExpression="attribute_exists(PK)", **change)
    except client.exceptions.ConditionalCheckFailedException:
        raise NotFound(f"no such {what}", field=f"{what}_id") from None


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


def list_tokens(account_id: str) -> list[ApiTokenItem]:
    return cast("list[ApiTokenItem]", _query_prefix(account_id, "TOKEN#"))


def extension_sk(extension: str) -> str:
    return f"USEREXT#{extension}"


class ExtensionTaken(Exception):
    """Another user of the account has this extension (its claim item exists)."""


def put_user(account_id: str, user: UserItem) -> None:
    """The user, and the claim of its extension, in one transaction: two users never share an extension."""
    writes = [_user_put(account_id, user, {"ConditionExpression": "attribute_not_exists(PK)"})]
    if extension := user.get("extension"):
        writes.append(_extension_claim(account_id, extension, user["id"]))
    _transact(writes)


def replace_user(account_id: str, before: UserItem, after: UserItem) -> None:
    """``after`` replaces ``before`` unless the user changed meanwhile (or was removed); the extension claim follows."""
    unchanged = {
        "ConditionExpression": "updated_at = :seen",
        "ExpressionAttributeValues": {":seen": {"S": before["updated_at"]}},
    }
    writes = [_user_put(account_id, after, unchanged)]
    if before.get("extension") != after.get("extension"):
        if released := before.get("extension"):
            writes.append(_extension_release(account_id, released, before["id"]))
        if claimed := after.get("extension"):
            writes.append(_extension_claim(account_id, claimed, after["id"]))
    _transact(writes)


def delete_user(account_id: str, user: UserItem, tombstone: dict[str, Any]) -> None:
    """Remove the user and its extension claim; ``tombstone`` tells the users feed."""
    writes = [
        {
            "Delete": {
                "TableName": table.name(),
                "Key": key(account_pk(account_id), user_sk(user["id"])),
                "ConditionExpression": "updated_at = :seen",
                "ExpressionAttributeValues": {":seen": {"S": user["updated_at"]}},
            }
        },
        tombstone,
    ]
    if extension := user.get("extension"):
        writes.append(_extension_release(account_id, extension, user["id"]))
    _transact(writes)


def _user_put(account_id: str, user: UserItem, condition: dict[str, Any]) -> dict[str, Any]:
    # CHG_*: the user is in the Ringio users feed (the ChangesIndex).
    item: StoredUser = {
        "PK": account_pk(account_id),
        "SK": user_sk(user["id"]),
        "CHG_PK": changes_pk(account_id, "USER"),
        "CHG_SK": f"{user['updated_at']}#{user['id']}",
        **user,
    }
    return {"Put": {"TableName": table.name(), "Item": to_item(item), **condition}}


def _extension_claim(account_id: str, extension: str, user_id: str) -> dict[str, Any]:
    item: ExtensionClaim = {"PK": account_pk(account_id), "SK": extension_sk(extension), "user_id": user_id}
    return {
        "Put": {"TableName": table.name(), "Item": to_item(item), "ConditionExpression": "attribute_not_exists(PK)"}
    }


def _extension_release(account_id: str, extension: str, user_id: str) -> dict[str, Any]:
    # Users written before extensions were claimed have no claim item: deleting nothing is fine.
    return {
        "Delete": {
            "TableName": table.name(),
            "Key": key(account_pk(account_id), extension_sk(extension)),
            "ConditionExpression": "attribute_not_exists(PK) OR user_id = :user",
            "ExpressionAttributeValues": {":user": {"S": user_id}},
        }
    }


def _claimed_by(claim: dict[str, Any]) -> bool:
    """Whether the stored claim at this claim's key names the same user."""
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key={"PK": claim["PK"], "SK": claim["SK"]}, ConsistentRead=True
    )
    return answer.get("Item", {}).get("user_id") == claim["user_id"]


def _transact(writes: list[dict[str, Any]]) -> None:
    """Raises ExtensionTaken when a claim failed, Conflict when the user changed (or went) since it was read."""
    try:
        table.transact(writes)
    except table.TransactionCancelled as cancelled:
        for write, reason in zip(writes, cancelled.reasons, strict=False):
            is_claim = "Put" in write and write["Put"]["Item"]["SK"]["S"].startswith("USEREXT#")
            if reason == "ConditionalCheckFailed" and is_claim:
                if _claimed_by(write["Put"]["Item"]):
                    return  # a retry of this very transaction, whose first attempt committed (all of it)
                raise ExtensionTaken() from None
        if "ConditionalCheckFailed" in cancelled.reasons:
            raise Conflict("the user changed meanwhile: try again", field="user_id") from None
        raise


def get_user(account_id: str, user_id: str) -> UserItem | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), user_sk(user_id)), ConsistentRead=True
    )
    return cast("UserItem", strip_keys(from_item(answer["Item"]))) if "Item" in answer else None


def list_users(account_id: str) -> list[UserItem]:
    return cast("list[UserItem]", _query_prefix(account_id, "USER#"))


def _query_prefix(account_id: str, prefix: str) -> list[dict[str, Any]]:
    """All items of one kind in an account (users, tokens: small sets), following pages."""
    request = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": account_pk(account_id)}, ":prefix": {"S": prefix}},
    }
    return [strip_keys(from_item(item)) for page in query_pages(aws.dynamodb(), request) for item in page]
