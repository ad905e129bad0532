"""OAuth2 clients, authorization codes, grants and tokens in the table (hashes only, never secrets).

All of a client's items live in its account's partition::

    SK                                   what
    OAUTHCLIENT#<c>                      a registered client (name, redirect URIs, secret hash, revoked_at)
    OAUTHCODE#<c>#<k>                    an authorization code (single use; TTL 10 minutes)
    OAUTHGRANT#<c>#<g>                   what an administrator approved (scope; revoked_at ends every token of it)
    OAUTHTOKEN#<c>#<g>#ACCESS#<t>        an access token (TTL at its expiry)
    OAUTHTOKEN#<c>#<g>#REFRESH#<t>       a refresh token (used_at once rotated; TTL at its expiry)
    OAUTHCSRF#<c>#<nonce>                a consent form's CSRF token, once used (TTL at its expiry)
    OAUTHSIGNIN#CLIENT#<c>#<window>      failed consent sign-ins of a client in a window (TTL)
    OAUTHSIGNIN#ADDRESS#<ip>#<window>    failed consent sign-ins from one address in a window (TTL)

Every credential names its account, client and grant, so verifying an access token reads the
token, its grant, its client and the account with one BatchGetItem, and revoking a grant or a
client is one write that ends every token under it. A code or refresh token is spent in the
same transaction that writes what it gives (``spend_and_issue``): a failed write spends nothing,
and a spent code always has its grant, so revoking on reuse always finds it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.pagination import query_pages
from ringbridge.dal.table import account_pk, from_item, key, to_item

if TYPE_CHECKING:
    from ringbridge.dal.items import (
        OAuthClientItem,
        OAuthCodeItem,
        OAuthGrantItem,
        OAuthTokenItem,
        StoredOAuthClient,
        StoredOAuthCode,
        StoredOAuthToken,
        TokenReads,
    )
    from ringbridge.tokens import Token

ACCOUNT_SK = "ACCOUNT"


def client_sk(client_key: str) -> str:
    return f"OAUTHCLIENT#{client_key}"


def code_sk(client_key: str, code_key: str) -> str:
    return f"OAUTHCODE#{client_key}#{code_key}"


def grant_sk(client_key: str, grant_id: str) -> str:
    return f"OAUTHGRANT#{client_key}#{grant_id}"


def token_sk(client_key: str, grant_id: str, kind: str, token_key: str) -> str:
    return f"OAUTHTOKEN#{client_key}#{grant_id}#{kind}#{token_key}"


def put_client(account_id: str, client_key: str, client: OAuthClientItem) -> None:
    _put_new_item(account_id, client_sk(client_key), client)


def _put_new_item(account_id: str, sk: str, values: Mapping[str, Any]) -> None:
    """PutItem that never overwrites: DynamoDB refuses it (ConditionalCheckFailed) when the key exists."""
    aws.dynamodb().put_item(**_put_new(account_id, sk, values)["Put"])


def get_client(account_id: str, sk: str) -> StoredOAuthClient | None:
    return cast("StoredOAuthClient | None", _get(account_id, sk))


def get_code(account_id: str, sk: str) -> StoredOAuthCode | None:
    return cast("StoredOAuthCode | None", _get(account_id, sk))


def get_token(account_id: str, sk: str) -> StoredOAuthToken | None:
    return cast("StoredOAuthToken | None", _get(account_id, sk))


def _get(account_id: str, sk: str) -> dict[str, Any] | None:
    answer = aws.dynamodb().get_item(TableName=table.name(), Key=key(account_pk(account_id), sk), ConsistentRead=True)
    return from_item(answer["Item"]) if "Item" in answer else None


def read_token(token: Token, *, with_client: bool = False) -> TokenReads:
    """The token and its grant (``with_client``: its client and account too), in one round trip; None where
    absent (or not asked)."""
    wanted = {
        "token": token_sk(token.client_key, token.grant_id, token.kind, token.token_key),
        "grant": grant_sk(token.client_key, token.grant_id),
        "client": client_sk(token.client_key) if with_client else None,
        "account": ACCOUNT_SK if with_client else None,
    }
    keys = [key(account_pk(token.account_id), sk) for sk in wanted.values() if sk]
    answer = aws.dynamodb().batch_get_item(RequestItems={table.name(): {"Keys": keys, "ConsistentRead": True}})
    # Unprocessed keys only happen under throttling; they read as missing (refused), never as valid.
    by_sk = {item["SK"]: item for item in map(from_item, answer["Responses"].get(table.name(), []))}
    return cast("TokenReads", {name: by_sk.get(sk) if sk else None for name, sk in wanted.items()})


def list_clients(account_id: str) -> list[StoredOAuthClient]:
    request = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": account_pk(account_id)}, ":prefix": {"S": "OAUTHCLIENT#"}},
    }
    return [
        cast("StoredOAuthClient", from_item(item)) for page in query_pages(aws.dynamodb(), request) for item in page
    ]


def put_code(account_id: str, client_key: str, code_key: str, code: OAuthCodeItem) -> None:
    _put_new_item(account_id, code_sk(client_key, code_key), code)


def revoke(account_id: str, sk: str, at: str) -> bool:
    """Set ``revoked_at`` on an existing client or grant (kept if already set); False when there is none.

    One conditional UpdateItem: DynamoDB, not a read before the write, decides.
    """
    client = aws.dynamodb()
    try:
        client.update_item(
            TableName=table.name(),
            Key=key(account_pk(account_id), sk),
            UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":at": {"S": at}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def put_tokens(account_id: str, items: list[tuple[str, OAuthGrantItem | OAuthTokenItem]]) -> None:
    """New items (a grant approved in advance and its tokens: the demo's seed), all or nothing."""
    table.transact([_put_new(account_id, sk, values) for sk, values in items])


class AlreadySpent(Exception):
    """Another request spent the code or refresh token first: it is being used twice."""


class GrantRevoked(Exception):
    """The grant was revoked (or, for a code, written by someone else) before the tokens were."""


def spend_and_issue(
    account_id: str,
    spent_sk: str,
    at: str,
    grant: tuple[str, OAuthGrantItem | None],
    tokens: list[tuple[str, OAuthTokenItem]],
) -> None:
    """One transaction: mark a code or refresh token used, write or check its grant, write the new tokens.

    ``grant`` is (sort key, new grant item) for a code's exchange, which creates the grant; (sort key,
    None) for a refresh, which checks the grant is not revoked. Raises AlreadySpent or GrantRevoked
    when DynamoDB refuses a condition; any other failure (throttling, a timeout) raises as it is. In
    every case nothing is written: the code or refresh token can be used again.
    """
    grant_sk, new_grant = grant
    pk = account_pk(account_id)
    if new_grant is None:
        grant_write: dict[str, Any] = {
            "ConditionCheck": {
                "TableName": table.name(),
                "Key": key(pk, grant_sk),
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(revoked_at)",
            }
        }
    else:
        grant_write = _put_new(account_id, grant_sk, new_grant)
    spend = {
        "Update": {
            "TableName": table.name(),
            "Key": key(pk, spent_sk),
            "UpdateExpression": "SET used_at = :at",
            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(used_at)",
            "ExpressionAttributeValues": {":at": {"S": at}},
        }
    }
    try:
        table.transact([spend, grant_write, *(_put_new(account_id, sk, values) for sk, values in tokens)])
    except table.TransactionCancelled as cancelled:
        if cancelled.reasons[:1] == ["ConditionalCheckFailed"]:
            raise AlreadySpent from None
        if cancelled.reasons[1:2] == ["ConditionalCheckFailed"]:
            raise GrantRevoked from None
        raise


def _put_new(account_id: str, sk: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table.name(),
            "Item": to_item({"PK": account_pk(account_id), "SK": sk, **values}),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def csrf_sk(client_key: str, nonce: str) -> str:
    return f"OAUTHCSRF#{client_key}#{nonce}"


def use_once(account_id: str, sk: str, expires_at: int) -> bool:
    """Record a single-use value (a consent form's CSRF token): False when it was recorded before."""
    client = aws.dynamodb()
    try:
        _put_new_item(account_id, sk, {"expires_at": expires_at})
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def sign_in_client_sk(client_key: str, window: int) -> str:
    return f"OAUTHSIGNIN#CLIENT#{client_key}#{window}"


def sign_in_address_sk(address: str, window: int) -> str:
    return f"OAUTHSIGNIN#ADDRESS#{address}#{window}"


def reserve_attempt(account_id: str, limits: dict[str, int], expires_at: int) -> bool:
    """Count one sign-in attempt on each counter (sort key -> its limit), all or none: False when
    one of them has reached its limit. Counting before the check, in one conditional transaction,
    means concurrent guesses cannot all slip under the limit."""
    try:
        table.transact(
            [
                {
                    "Update": {
                        "TableName": table.name(),
                        "Key": key(account_pk(account_id), sk),
                        "UpdateExpression": "ADD attempts :one SET expires_at = if_not_exists(expires_at, :expires)",
                        "ConditionExpression": "attribute_not_exists(attempts) OR attempts < :limit",
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"},
                            ":limit": {"N": str(limit)},
                            ":expires": {"N": str(expires_at)},
                        },
                    }
                }
                for sk, limit in limits.items()
            ]
        )
    except table.TransactionCancelled as cancelled:
        if "ConditionalCheckFailed" in cancelled.reasons:
            return False
        raise
    return True


def release_attempt(account_id: str, sks: list[str]) -> None:
    """Uncount a sign-in attempt that succeeded: only failures are throttled."""
    table.transact(
        [
            {
                "Update": {
                    "TableName": table.name(),
                    "Key": key(account_pk(account_id), sk),
                    "UpdateExpression": "ADD attempts :minus_one",
                    "ExpressionAttributeValues": {":minus_one": {"N": "-1"}},
                }
            }
            for sk in sks
        ]
    )


def consent_key(parameter_name: str) -> str:
    """The consent forms' HMAC key, an SSM SecureString made (256 random bits) by whoever first needs it."""
    ssm = aws.ssm()

    def read() -> str:
        return str(ssm.get_parameter(Name=parameter_name, WithDecryption=True)["Parameter"]["Value"])

    try:
        return read()
    except ssm.exceptions.ParameterNotFound:
        pass
    with contextlib.suppress(ssm.exceptions.ParameterAlreadyExists):  # another instance made it first: use theirs
        ssm.put_parameter(Name=parameter_name, Value=secrets.token_urlsafe(32), Type="SecureString", Overwrite=False)
    return read()
