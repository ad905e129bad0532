"""OAuth2 clients, authorization codes, grants and tokens in the table (hashes only, never secrets).

All of a client's items live in its account's partition::

    SK                                   what
    OAUTHCLIENT#<c>                      a registered client (name, redirect URIs, secret hash, revoked_at)
    OAUTHCODE#<c>#<k>                    an authorization code (single use; TTL 10 minutes)
    OAUTHGRANT#<c>#<g>                   what an administrator approved (scope; revoked_at ends every token of it)
    OAUTHTOKEN#<c>#<g>#ACCESS#<t>        an access token (TTL at its expiry)
    OAUTHTOKEN#<c>#<g>#REFRESH#<t>       a refresh token (used_at once rotated; TTL at its expiry)

Every credential names its account, client and grant, so verifying an access token reads the
token, its grant, its client and the account with one BatchGetItem, and revoking a grant or a
client is one write that ends every token under it.
"""

from typing import Any

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.pagination import query_pages
from ringbridge.dal.table import account_pk, from_item, key, to_item

ACCOUNT_SK = "ACCOUNT"


def client_sk(client_key: str) -> str:
    return f"OAUTHCLIENT#{client_key}"


def code_sk(client_key: str, code_key: str) -> str:
    return f"OAUTHCODE#{client_key}#{code_key}"


def grant_sk(client_key: str, grant_id: str) -> str:
    return f"OAUTHGRANT#{client_key}#{grant_id}"


def token_sk(client_key: str, grant_id: str, kind: str, token_key: str) -> str:
    return f"OAUTHTOKEN#{client_key}#{grant_id}#{kind}#{token_key}"


def put_client(account_id: str, client_key: str, client: dict[str, Any]) -> None:
    aws.dynamodb().put_item(
        TableName=table.name(),
        Item=to_item({"PK": account_pk(account_id), "SK": client_sk(client_key), **client}),
        ConditionExpression="attribute_not_exists(PK)",
    )


def get(account_id: str, sk: str) -> dict[str, Any] | None:
    answer = aws.dynamodb().get_item(TableName=table.name(), Key=key(account_pk(account_id), sk), ConsistentRead=True)
    return from_item(answer["Item"]) if "Item" in answer else None


def get_many(account_id: str, sks: list[str]) -> dict[str, dict[str, Any]]:
    """Items of one account by sort key, in one round trip; missing ones are absent from the answer."""
    keys = [key(account_pk(account_id), sk) for sk in dict.fromkeys(sks)]
    answer = aws.dynamodb().batch_get_item(RequestItems={table.name(): {"Keys": keys, "ConsistentRead": True}})
    # Unprocessed keys only happen under throttling; they read as missing (refused), never as valid.
    return {item["SK"]: item for item in map(from_item, answer["Responses"].get(table.name(), []))}


def list_clients(account_id: str) -> list[dict[str, Any]]:
    request = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": account_pk(account_id)}, ":prefix": {"S": "OAUTHCLIENT#"}},
    }
    return [from_item(item) for page in query_pages(aws.dynamodb(), request) for item in page]


def put_code(account_id: str, client_key: str, code_key: str, code: dict[str, Any]) -> None:
    aws.dynamodb().put_item(
        TableName=table.name(),
        Item=to_item({"PK": account_pk(account_id), "SK": code_sk(client_key, code_key), **code}),
        ConditionExpression="attribute_not_exists(PK)",
    )


def mark_used(account_id: str, sk: str, at: str) -> bool:
    """Set ``used_at`` on a code or refresh token unless it is set: False when it already was (reuse)."""
    return _update_if(account_id, sk, "SET used_at = :at", "attribute_exists(PK) AND attribute_not_exists(used_at)", at)


def revoke(account_id: str, sk: str, at: str) -> bool:
    """Set ``revoked_at`` on an existing client or grant (kept if already set); False when there is none."""
    return _update_if(account_id, sk, "SET revoked_at = if_not_exists(revoked_at, :at)", "attribute_exists(PK)", at)


def _update_if(account_id: str, sk: str, update: str, condition: str, at: str) -> bool:
    """One conditional UpdateItem: DynamoDB, not a read before the write, decides who wins."""
    client = aws.dynamodb()
    try:
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), sk),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeValues={":at": {"S": at}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def put_tokens(account_id: str, items: list[tuple[str, dict[str, Any]]]) -> None:
    """A new grant and/or its new tokens, all or nothing."""
    aws.dynamodb().transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table.name(),
                    "Item": to_item({"PK": account_pk(account_id), "SK": sk, **values}),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
            for sk, values in items
        ]
    )
