"""The consent form's CSRF token: bound to its authorization request, short-lived, used once.

A token is ``<nonce>.<expires>.<mac>``: ``mac`` is an HMAC-SHA256, under a key only the server
holds, over the nonce, the expiry and the authorization request's client_id, redirect_uri, state,
scope and code_challenge. The page puts it in its form and in a cookie (HttpOnly, SameSite=Strict,
path /oauth/authorize). The POST passes when cookie and field are equal, the MAC holds for the
request the form sends, the token has not expired, and it was not used before: its nonce is
recorded with a conditional put (``dal.oauth.use_once``; TTL removes it after the expiry). So a
token made for one request cannot approve another, and a form cannot be sent twice.

The key is an SSM SecureString, ``/<stack name>/oauth/consent-key`` (256 random bits), made by the
first consent page that needs it; only OAuthAuthorizeFunction may read or create it (template.yaml).
Deleting the parameter makes a new key: forms then open expire, nothing else.
"""

import base64
import hashlib
import hmac
import json
import secrets
from functools import cache
from urllib.parse import parse_qsl

from ringbridge import clock, settings
from ringbridge.dal import oauth as dal

CSRF_SECONDS = 600
BOUND_PARAMETERS = ("client_id", "redirect_uri", "state", "scope", "code_challenge")


@cache
def _key() -> bytes:
    return dal.consent_key(f"/{settings.current().stack_name}/oauth/consent-key").encode()


def _mac(nonce: str, expires: int, query: str) -> str:
    params = dict(parse_qsl(query, keep_blank_values=True))
    message = json.dumps([nonce, expires, *(params.get(name) for name in BOUND_PARAMETERS)])
    digest = hmac.new(_key(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_token(query: str) -> str:
    """A token for the consent form of the authorization request ``query``."""
    nonce, expires = secrets.token_urlsafe(16), int(clock.now().timestamp()) + CSRF_SECONDS
    return f"{nonce}.{expires}.{_mac(nonce, expires, query)}"


def checked_nonce(cookie: str, field: str, query: str) -> tuple[str, int] | None:
    """(nonce, expiry) of a token that is the cookie's, made for ``query`` and not expired; else None.

    Whether it was used before is the caller's conditional write (it knows the client's account).
    """
    nonce, _, rest = field.partition(".")
    expires, _, mac = rest.partition(".")
    if not (cookie and hmac.compare_digest(cookie, field) and expires.isdigit()):
        return None
    if not hmac.compare_digest(mac, _mac(nonce, int(expires), query)):
        return None
    return (nonce, int(expires)) if int(expires) > clock.now().timestamp() else None
