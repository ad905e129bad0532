"""Verifying a request's token: who the caller is, or 403.

An API token (``rbk_…``, see ringbridge.tokens) names its account and key ids, which locate its
item with one GetItem in the account's own partition; the hashes are compared in constant time.

An OAuth2 access token (``rba_…``) works like an API token of its grant's scope: one BatchGetItem
reads the token, its grant, its client and the account; it fails once expired or once its grant or
client is revoked.
"""

import base64
import binascii
import hashlib

from ringbridge import clock, rate_limit, settings, tokens
from ringbridge.caller import Caller, set_current_caller
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import oauth as oauth_dal
from ringbridge.errors import Forbidden

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
    """The token's caller, counted against its rate limit; Forbidden (403) for anything else."""
    if not token:
        raise Forbidden("missing API token: send 'Authorization: Bearer <token>'")
    if len(token) > tokens.MAX_TOKEN_LENGTH:
        raise Forbidden("invalid API token")
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    cached = _verified.get(fingerprint)
    if cached and cached[0] > clock.monotonic() and (cached[2] is None or cached[2] > clock.now().timestamp()):
        caller = cached[1]
    else:
        caller, expires_at = _verify_access_token(token) if tokens.is_access_token(token) else _verify_api_token(token)
        _verified[fingerprint] = (clock.monotonic() + settings.current().auth_cache_seconds, caller, expires_at)
    rate_limit.count_request(caller)
    return caller


def _verify_api_token(text: str) -> tuple[Caller, None]:
    parsed = tokens.parse_api_token(text)
    if parsed is None:
        raise Forbidden("invalid API token")
    account_id, key_id, secret = parsed
    item, account = accounts_dal.get_token_and_account(account_id, key_id)
    # Compare even when the item is missing, so timing does not tell which part was wrong.
    stored = item["secret_hash"] if item else None
    if not tokens.matches(stored, secret) or not item or not account or item.get("revoked_at"):
        raise Forbidden("invalid API token")
    caller = Caller(
        account_id=account_id,
        key_id=key_id,
        scope=item["scope"],
        region=account["region"],
        rate_limit_per_minute=item.get("rate_limit_per_minute"),
    )
    return caller, None


def _verify_access_token(text: str) -> tuple[Caller, float]:
    token = tokens.parse_token(text)
    if token is None or token.kind != tokens.ACCESS:
        raise Forbidden("invalid access token")
    reads = oauth_dal.read_token(token, with_client=True)
    item, grant, client, account = reads["token"], reads["grant"], reads["client"], reads["account"]
    if not tokens.matches(item["secret_hash"] if item else None, token.secret) or not item:
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


def authenticate(headers: dict[str, str], method: str, body_token: str | None = None) -> Caller:
    """The request's caller, who must hold a read-write token for anything but a read; set as the current one.

    The token is ``body_token`` when a route takes it in its body and it was sent, else the Authorization header's.
    """
    caller = verify(body_token or token_from_headers(headers))
    if method.upper() not in READ_METHODS:
        caller.account.require_write()
    set_current_caller(caller)
    return caller
