"""API tokens: issue, verify, and the authenticated caller of the current request.

A token reads ``rbk_<account id>_<key id>_<secret>``. Only SHA-256 of the secret is stored; the
account and key ids in the token locate its item with one GetItem in the account's own
partition, and the hashes are compared in constant time. The secret has 256 bits of randomness,
so a plain (unsalted) hash is enough: there is nothing to guess.
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
from ringbridge.errors import Forbidden

PREFIX = "rbk"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Scope = Literal["ro", "rw"]


@dataclass(frozen=True)
class Caller:
    account_id: str
    key_id: str
    scope: Scope
    region: str

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
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "") or ""
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
# Failures are never cached, so a newly created token works at once.
_verified: dict[str, tuple[float, Caller]] = {}


def verify(token: str | None) -> Caller:
    if not token:
        raise Forbidden("missing API token: send 'Authorization: Bearer <token>'")
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    cached = _verified.get(fingerprint)
    if cached and cached[0] > clock.monotonic():
        return cached[1]
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != PREFIX or not all(parts[1:]):
        raise Forbidden("invalid API token")
    _, account_id, key_id, secret = parts
    item, account = accounts_dal.get_token_and_account(account_id, key_id)
    # Compare even when the item is missing, so timing does not tell which part was wrong.
    stored = item["secret_hash"] if item else "0" * 64
    if not hmac.compare_digest(stored, _hash(secret)) or not item or not account or item.get("revoked_at"):
        raise Forbidden("invalid API token")
    caller = Caller(account_id=account_id, key_id=key_id, scope=item["scope"], region=account["region"])
    _verified[fingerprint] = (clock.monotonic() + settings.auth_cache_seconds(), caller)
    return caller


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
