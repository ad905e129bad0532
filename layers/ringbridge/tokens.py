"""The shape of every credential we issue, how its secret is made and hashed: no I/O, imports nothing of ours.

Each credential names where its item is, so it is found with a key lookup, never a search::

    API token       rbk_<account>_<key>_<secret>
    client id       rbo_<account>_<client>
    code            <code key>_<secret>                      (always sent with its client id)
    access token    rba_<account>_<client>_<grant>_<token>_<secret>
    refresh token   rbr_<account>_<client>_<grant>_<token>_<secret>

Ids are ULIDs (no ``_``); secrets have 256 bits of randomness, so a plain (unsalted) SHA-256 is
enough (there is nothing to guess), and hashes are compared in constant time. Only the hash is stored.
"""

import hashlib
import hmac
import re
import secrets

API_PREFIX = "rbk"
CLIENT_PREFIX = "rbo"
ACCESS_PREFIX = "rba"
REFRESH_PREFIX = "rbr"
ACCESS = "ACCESS"
REFRESH = "REFRESH"
_KINDS = {ACCESS_PREFIX: ACCESS, REFRESH_PREFIX: REFRESH}
# Our tokens are about 100 characters; anything much longer is not one of them. The bound also keeps
# the account and key ids a token names far below DynamoDB's key size limits.
MAX_TOKEN_LENGTH = 256
_NO_HASH = "0" * 64
# Our ids are 26-character ULIDs; anything else is refused before it becomes a DynamoDB key
# (whose length DynamoDB bounds: a huge "id" must be a 4xx, never a failed request).
_ID = re.compile(r"[0-9A-Za-z]{1,64}")
_SECRET = re.compile(r"[0-9A-Za-z_-]{1,128}")


def _ids_ok(*parts: str) -> bool:
    return all(_ID.fullmatch(part) for part in parts[:-1]) and bool(_SECRET.fullmatch(parts[-1]))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(stored_hash: str | None, secret: str) -> bool:
    """Constant time, and as slow for a missing item as for a wrong secret."""
    return hmac.compare_digest(stored_hash or _NO_HASH, hash_secret(secret)) and stored_hash is not None


# --- API tokens ---


# A plain class, not a dataclass: making a dataclass compiles its methods at import, about a millisecond of
# every cold start each (auth imports this module).
class IssuedToken:
    __slots__ = ("key_id", "secret_hash", "token")

    def __init__(self, key_id: str, token: str, secret_hash: str) -> None:
        self.key_id = key_id
        self.token = token
        self.secret_hash = secret_hash


def issue(account_id: str, key_id: str) -> IssuedToken:
    secret = new_secret()
    return IssuedToken(
        key_id=key_id, token=f"{API_PREFIX}_{account_id}_{key_id}_{secret}", secret_hash=hash_secret(secret)
    )


def parse_api_token(text: str) -> tuple[str, str, str] | None:
    """(account id, key id, secret) of an API token."""
    parts = text.split("_", 3)
    # Ids are ULIDs: a longer one is refused before it becomes a key (DynamoDB bounds key length).
    if len(parts) != 4 or parts[0] != API_PREFIX or not all(parts[1:]) or max(map(len, parts[1:3])) > 64:
        return None
    return parts[1], parts[2], parts[3]


# --- OAuth2 client ids, codes and tokens ---


class ClientId:
    __slots__ = ("account_id", "client_key")

    def __init__(self, account_id: str, client_key: str) -> None:
        self.account_id = account_id
        self.client_key = client_key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientId) and (self.account_id, self.client_key) == (
            other.account_id,
            other.client_key,
        )

    def __str__(self) -> str:
        return f"{CLIENT_PREFIX}_{self.account_id}_{self.client_key}"


def parse_client_id(text: str | None) -> ClientId | None:
    parts = (text or "").split("_")
    if len(parts) != 3 or parts[0] != CLIENT_PREFIX or not all(_ID.fullmatch(part) for part in parts[1:]):
        return None
    return ClientId(parts[1], parts[2])


class Token:
    __slots__ = ("account_id", "client_key", "grant_id", "kind", "secret", "token_key")

    def __init__(self, kind: str, account_id: str, client_key: str, grant_id: str, token_key: str, secret: str) -> None:
        self.kind = kind  # ACCESS or REFRESH
        self.account_id = account_id
        self.client_key = client_key
        self.grant_id = grant_id
        self.token_key = token_key
        self.secret = secret

    @property
    def client(self) -> ClientId:
        return ClientId(self.account_id, self.client_key)

    def __str__(self) -> str:
        prefix = ACCESS_PREFIX if self.kind == ACCESS else REFRESH_PREFIX
        return f"{prefix}_{self.account_id}_{self.client_key}_{self.grant_id}_{self.token_key}_{self.secret}"


def is_access_token(text: str) -> bool:
    return text.startswith(ACCESS_PREFIX + "_")


def parse_token(text: str | None) -> Token | None:
    parts = (text or "").split("_", 5)
    if len(parts) != 6 or parts[0] not in _KINDS or not _ids_ok(*parts[1:]):
        return None
    return Token(_KINDS[parts[0]], *parts[1:])


def parse_code(text: str | None) -> tuple[str, str] | None:
    """(code key, secret) of an authorization code."""
    code_key, _, secret = (text or "").partition("_")
    return (code_key, secret) if _ids_ok(code_key, secret) else None
