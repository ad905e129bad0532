"""API tokens: issue, verify, and the authenticated caller of the current request.

A token reads ``rbk_<account id>_<key id>_<secret>``. Only SHA-256 of the secret is stored; the
account and key ids in the token locate its item with one GetItem in the account's own
partition, and the hashes are compared in constant time. The secret has 256 bits of randomness,
so a plain (unsalted) hash is enough: there is nothing to guess.

An OAuth2 access token (``rba_…``, see ringbridge.oauth.credentials) works like an API token of
its grant's scope: one BatchGetItem reads the token, its grant, its client and the account;
it fails once expired or once its grant or client is revoked.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from ringbridge import clock, settings
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import oauth as oauth_dal
from ringbridge.errors import Forbidden, TooManyRequests
from ringbridge.oauth import credentials as oauth_credentials

PREFIX = "rbk"
# Our tokens are about 100 characters; anything much longer is not one of them. The bound also keeps
# the account and key ids a token names far below DynamoDB's key size limits.
MAX_TOKEN_LENGTH = 256
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Scope = Literal["ro", "rw"]


@dataclass(frozen=True)
class Caller:
    account_id: str
    key_id: str
    scope: Scope
    region: str
    rate_limit_per_minute: int | None = None

    def require_write(self) -> None:
        if self.scope != "rw":
            raise Forbidden("this token is read-only")


@dataclass(frozen=True)
class IssuedToken:
    key_id: str
    token: str
    secret_hash: str


def issue(account_id: str, key_id: str) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    return IssuedToken(key_id=key_id, token=f"{PREFIX}_{account_id}_{key_id}_{secret}", secret_hash=_hash(secret))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_from_headers(headers: dict[str, str]) -> str | None:
    """The token from ``Authorization: Bearer <token>`` or HTTP Basic ``<token>:<anything>``."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, credentials = value.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


# Verified tokens, by hash of the whole token: a warm function skips the DynamoDB read.
# Failures are never cached, so a newly created token works at once. Each entry also keeps the
# token's own expiry (epoch seconds, OAuth2 access tokens only), which the cache never outlives.
_verified: dict[str, tuple[float, Caller, float | None]] = {}


def verify(token: str | None) -> Caller:
    if not token:
        raise Forbidden("missing API token: send 'Authorization: Bearer <token>'")
    if len(token) > MAX_TOKEN_LENGTH:
        raise Forbidden("invalid API token")
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    cached = _verified.get(fingerprint)
    if cached and cached[0] > clock.monotonic() and (cached[2] is None or cached[2] > clock.now().timestamp()):
        return _within_rate_limit(cached[1])
    if oauth_credentials.is_access_token(token):
        caller, expires_at = _verify_access_token(token)
        _verified[fingerprint] = (clock.monotonic() + settings.auth_cache_seconds(), caller, expires_at)
        return caller
    parts = token.split("_", 3)
    # Ids are ULIDs: a longer one is refused before it becomes a key (DynamoDB bounds key length).
    if len(parts) != 4 or parts[0] != PREFIX or not all(parts[1:]) or max(map(len, parts[1:3])) > 64:
        raise Forbidden("invalid API token")
    _, account_id, key_id, secret = parts
    item, account = accounts_dal.get_token_and_account(account_id, key_id)
    # Compare even when the item is missing, so timing does not tell which part was wrong.
    stored = item["secret_hash"] if item else "0" * 64
    if not hmac.compare_digest(stored, _hash(secret)) or not item or not account or item.get("revoked_at"):
        raise Forbidden("invalid API token")
    caller = Caller(
        account_id=account_id,
        key_id=key_id,
        scope=item["scope"],
        region=account["region"],
        rate_limit_per_minute=item.get("rate_limit_per_minute"),
    )
    _verified[fingerprint] = (clock.monotonic() + settings.auth_cache_seconds(), caller, None)
    return _within_rate_limit(caller)


def _within_rate_limit(caller: Caller) -> Caller:
    """Count the request against the token's limit, if it has one (then one DynamoDB call; else none).

    Fixed one-minute windows: simple, one item per token and minute, and a burst can at most
    double the rate across a window's edge.
    """
    if not caller.rate_limit_per_minute:
        return caller
    now = clock.now().timestamp()
    minute = int(now // 60)
    if not accounts_dal.count_request(caller.account_id, caller.key_id, minute, caller.rate_limit_per_minute):
        retry_after = max(1, (minute + 1) * 60 - int(now))
        raise TooManyRequests(
            f"this token is limited to {caller.rate_limit_per_minute} requests a minute",
            retry_after=retry_after,
            field="Authorization",
        )
    return caller


def _verify_access_token(text: str) -> tuple[Caller, float]:
    token = oauth_credentials.parse_token(text)
    if token is None or token.kind != oauth_credentials.ACCESS:
        raise Forbidden("invalid access token")
    sk = oauth_dal.token_sk(token.client_key, token.grant_id, token.kind, token.token_key)
    grant_sk = oauth_dal.grant_sk(token.client_key, token.grant_id)
    client_sk = oauth_dal.client_sk(token.client_key)
    items = oauth_dal.get_many(token.account_id, [sk, grant_sk, client_sk, accounts_dal.ACCOUNT_SK])
    item, grant, client = items.get(sk), items.get(grant_sk), items.get(client_sk)
    account = items.get(accounts_dal.ACCOUNT_SK)
    if not oauth_credentials.matches(item["secret_hash"] if item else None, token.secret) or not item:
        raise Forbidden("invalid access token")
    if not grant or not client or not account or grant.get("revoked_at") or client.get("revoked_at"):
        raise Forbidden("this access token was revoked")
    if item["expires_at"] <= clock.now().timestamp():
        raise Forbidden("this access token has expired; use the refresh token")
    caller = Caller(
        account_id=token.account_id, key_id=f"oauth:{token.grant_id}", scope=item["scope"], region=account["region"]
    )
    return caller, float(item["expires_at"])


def forget_verified() -> None:
    """Drop cached verifications (used when a token is revoked in this same process)."""
    _verified.clear()


_current: ContextVar[Caller] = ContextVar("ringbridge_caller")


def authenticate(headers: dict[str, str], method: str) -> Caller:
    caller = verify(token_from_headers(headers))
    if method.upper() not in READ_METHODS:
        caller.require_write()
    _current.set(caller)
    return caller


def current_caller() -> Caller:
    return _current.get()


def set_current_caller(caller: Caller) -> None:
    _current.set(caller)
