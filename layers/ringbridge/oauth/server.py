"""The OAuth2 protocol, by oauthlib's WebApplicationServer, over our store (ringbridge.dal.oauth).

oauthlib does the RFC 6749 / 7636 / 7009 work (parameter checks, error answers, PKCE, token
responses); ``Validator`` answers its questions from DynamoDB. Single use of codes and refresh
tokens is decided by DynamoDB: the code or refresh token is marked used (``used_at``, set once) in
the same transaction that writes the grant and tokens it gives, so two concurrent exchanges cannot
both win, and a failed write leaves it usable. A second use revokes the whole grant (RFC 6749
§4.1.2, §10.4; RFC 9700 §4.14.2).
"""

import base64
import binascii
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import unquote
from weakref import WeakKeyDictionary

from botocore.exceptions import BotoCoreError, ClientError
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.endpoints.pre_configured import WebApplicationServer
from oauthlib.oauth2.rfc6749.request_validator import RequestValidator

from ringbridge import auth, clock, ids, settings, tokens
from ringbridge.dal import oauth as dal
from ringbridge.tokens import ClientId, Token

if TYPE_CHECKING:
    from ringbridge.dal.items import OAuthGrantItem, OAuthTokenItem, Scope, StoredOAuthCode

# oauthlib's debug lines print whole grants (with their codes); credentials never reach our logs.
logging.getLogger("oauthlib").setLevel(logging.WARNING)

SCOPES = ("ro", "rw")
CODE_SECONDS = 600
REFRESH_TOKEN_SECONDS = 90 * 86400
GRANT_TYPES = ("authorization_code", "refresh_token")
# RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
CODE_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")


class StoreUnavailable(errors.TemporarilyUnavailableError):
    """DynamoDB failed (throttled, timed out): nothing was written, the request can be sent again."""

    status_code = 503
    description = "The token store is busy: nothing was spent or issued; send the same request again."

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


@dataclass(frozen=True)
class Client:
    """What oauthlib keeps as ``request.client``."""

    client_id: str  # oauthlib reads this attribute
    ref: ClientId
    name: str
    redirect_uris: tuple[str, ...]
    secret_hash: str = field(repr=False)
    require_pkce: bool = False


@dataclass
class _Exchange:
    """What the validator learns during one request (oauthlib's Request has no typed place for it)."""

    grant_id: str = ""
    grant_scope: str = ""
    code_item: "StoredOAuthCode | None" = None
    spent_sk: str = ""  # the code or refresh token the new tokens spend


_exchanges: WeakKeyDictionary[Request, _Exchange] = WeakKeyDictionary()


def _exchange(request: Request) -> _Exchange:
    return _exchanges.setdefault(request, _Exchange())


def _scope(request: Request) -> "Scope":
    """The one scope validate_scopes allowed, one of SCOPES (oauthlib keeps scopes as a list)."""
    scopes = request.scopes or []
    assert len(scopes) == 1
    return cast("Scope", str(scopes[0]))


def _code_value(
    request: Request, name: Literal["code_challenge", "code_challenge_method", "approved_by"]
) -> str | None:
    """One of the optional values of the code this request exchanges (None: not given, or no code)."""
    code_item = _exchange(request).code_item
    return code_item.get(name) if code_item else None


def client_of(request: Request) -> Client:
    """The client oauthlib keeps on the request once validate_client_id or authenticate_client found it."""
    client = request.client
    assert isinstance(client, Client)
    return client


def find_client(client_id: str | None) -> Client | None:
    """A registered client that is not revoked."""
    ref = tokens.parse_client_id(client_id)
    if ref is None:
        return None
    item = dal.get_client(ref.account_id, dal.client_sk(ref.client_key))
    if item is None or item.get("revoked_at"):
        return None
    return Client(
        str(ref), ref, item["name"], tuple(item["redirect_uris"]), item["secret_hash"], item.get("require_pkce", False)
    )


def _epoch() -> int:
    return int(clock.now().timestamp())


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: client id and secret, form-urlencoded, as HTTP Basic user and password."""
    value = request.headers.get("Authorization") or ""
    scheme, _, encoded = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, separator, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (unquote(user), unquote(password)) if separator else None


class Validator(RequestValidator):
    # --- clients ---

    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        return True  # confidential clients only (Ringotel has a secret)

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        basic = _basic_credentials(request)
        if basic and request.client_secret is not None:
            # RFC 6749 §2.3: one authentication method per request.
            raise errors.InvalidRequestError(
                description="Client authentication by HTTP Basic and in the body at once: use one of them.",
                request=request,
            )
        client_id, secret = basic or (request.client_id, request.client_secret)
        client = find_client(client_id)
        if not tokens.matches(client.secret_hash if client else None, secret or "") or client is None:
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        return False  # no public clients

    def validate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        request.client = find_client(client_id)
        return request.client is not None

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # Exact match with a registered URI: no prefix, pattern or open-redirect leeway.
        return request.client is not None and redirect_uri in request.client.redirect_uris

    def get_default_redirect_uri(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> str:
        """The only registered URI; "" (none) when there are several: the request must name one."""
        assert request.client is not None  # oauthlib asks once validate_client_id or authenticate_client set it
        uris: list[str] = request.client.redirect_uris
        return uris[0] if len(uris) == 1 else ""

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return response_type == "code"

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type in GRANT_TYPES

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return len(scopes) == 1 and scopes[0] in SCOPES

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        return ["ro"]  # least privilege when the client does not say

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        """Per client (create-oauth-client --require-pkce); off by default, as phone systems often send none."""
        return isinstance(request.client, Client) and request.client.require_pkce

    # --- authorization codes ---

    def save_authorization_code(self, client_id: str, code: Any, request: Request, *args: Any, **kwargs: Any) -> None:
        client = client_of(request)
        code_key, secret = ids.new_id(), tokens.new_secret()
        # Our own code, which says where its item is (oauthlib's generated one is replaced).
        code["code"] = f"{code_key}_{secret}"
        dal.put_code(
            client.ref.account_id,
            client.ref.client_key,
            code_key,
            {
                "secret_hash": tokens.hash_secret(secret),
                "grant_id": ids.new_id(),
                "scope": _scope(request),
                "redirect_uri": request.redirect_uri,
                # RFC 6749 §4.1.3: then the token request must name it too.
                "redirect_uri_sent": not request.using_default_redirect_uri,
                "code_challenge": request.code_challenge,
                "code_challenge_method": request.code_challenge_method,
                "approved_by": request.approved_by,
                "created_at": clock.now_iso(),
                "expires_at": _epoch() + CODE_SECONDS,
            },
        )

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        parsed = tokens.parse_code(code)
        if parsed is None:
            return False
        sk = dal.code_sk(client.ref.client_key, parsed[0])
        item = dal.get_code(client.ref.account_id, sk)
        if not tokens.matches(item["secret_hash"] if item else None, parsed[1]) or not item:
            return False
        if item["expires_at"] <= _epoch():
            return False
        if item.get("used_at"):
            # A code used twice: whoever holds it may be an attacker, so the tokens it gave are revoked.
            revoke_grant(client.ref, item["grant_id"])
            return False
        request.scopes = [item["scope"]]
        exchange = _exchange(request)
        exchange.grant_id, exchange.grant_scope, exchange.code_item = item["grant_id"], item["scope"], item
        exchange.spent_sk = sk
        return True

    # oauthlib documents None for "no challenge" (its stub says str): these two keep None.
    def get_code_challenge(self, code: str, request: Request) -> str | None:  # type: ignore[override]
        return _code_value(request, "code_challenge")

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:  # type: ignore[override]
        return _code_value(request, "code_challenge_method")

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Any,
        request: Request,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        code_item = _exchange(request).code_item
        if code_item and code_item.get("redirect_uri_sent") and request.using_default_redirect_uri:
            raise errors.InvalidRequestError(
                description="Missing redirect_uri: the authorization request named one (RFC 6749 §4.1.3).",
                request=request,
            )
        return redirect_uri == (code_item.get("redirect_uri") if code_item else None)

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        """Nothing to do: save_bearer_token spent the code in the transaction that wrote its tokens."""

    # --- tokens ---

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        token = tokens.parse_token(refresh_token)
        if token is None or token.kind != tokens.REFRESH or token.client != client.ref:
            return False
        sk = dal.token_sk(token.client_key, token.grant_id, token.kind, token.token_key)
        reads = dal.read_token(token)
        item, grant = reads["token"], reads["grant"]
        if not tokens.matches(item["secret_hash"] if item else None, token.secret) or not item or not grant:
            return False
        if grant.get("revoked_at") or item["expires_at"] <= _epoch():
            return False
        if item.get("used_at"):
            # A rotated refresh token presented again: it leaked, so the whole grant ends.
            revoke_grant(client.ref, token.grant_id)
            return False
        exchange = _exchange(request)
        exchange.grant_id, exchange.grant_scope, exchange.spent_sk = token.grant_id, grant["scope"], sk
        return True

    def get_original_scopes(self, refresh_token: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        return [_exchange(request).grant_scope]

    def is_within_original_scope(
        self, request_scopes: list[str], refresh_token: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return request_scopes == ["ro"]  # a rw grant may ask for read-only tokens

    def rotate_refresh_token(self, request: Request) -> bool:
        return True

    def save_bearer_token(self, token: Any, request: Request, *args: Any, **kwargs: Any) -> None:
        access = tokens.parse_token(token["access_token"])
        refresh = tokens.parse_token(token.get("refresh_token"))
        assert access is not None and refresh is not None  # made by our generators below
        now, epoch, exchange = clock.now_iso(), _epoch(), _exchange(request)
        new_grant: OAuthGrantItem | None = None
        if request.grant_type == "authorization_code":
            new_grant = {
                "scope": _scope(request),
                "approved_by": _code_value(request, "approved_by"),
                "created_at": now,
            }
        items: list[tuple[str, OAuthTokenItem]] = []
        access_lifetime = settings.current().oauth_access_token_seconds
        for issued, lifetime in ((access, access_lifetime), (refresh, REFRESH_TOKEN_SECONDS)):
            sk = dal.token_sk(issued.client_key, issued.grant_id, issued.kind, issued.token_key)
            item: OAuthTokenItem = {
                "secret_hash": tokens.hash_secret(issued.secret),
                "created_at": now,
                "expires_at": epoch + lifetime,
            }
            if issued.kind == tokens.ACCESS:
                item["scope"] = _scope(request)
            items.append((sk, item))
        grant = (dal.grant_sk(access.client_key, access.grant_id), new_grant)
        try:
            dal.spend_and_issue(access.account_id, exchange.spent_sk, now, grant, items)
        except dal.AlreadySpent:
            # Another request spent it between our read and our write: a second use, as in validate_*.
            revoke_grant(access.client, access.grant_id)
            raise errors.InvalidGrantError(request=request) from None
        except dal.GrantRevoked:
            raise errors.InvalidGrantError(request=request) from None
        except (ClientError, BotoCoreError):
            raise StoreUnavailable(request=request) from None

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        """RFC 7009: revoking either token of a grant ends the grant (its other tokens too).

        A token we never issued answers 200 all the same (§2.2); a real one issued to another client is
        refused with unauthorized_client and keeps working (§2.1).
        """
        parsed = tokens.parse_token(token)
        if parsed is None:
            return
        sk = dal.token_sk(parsed.client_key, parsed.grant_id, parsed.kind, parsed.token_key)
        item = dal.get_token(parsed.account_id, sk)
        if not tokens.matches(item["secret_hash"] if item else None, parsed.secret):
            return
        if parsed.client != client_of(request).ref:
            raise errors.UnauthorizedClientError(description="This token was not issued to this client.")
        revoke_grant(parsed.client, parsed.grant_id)


def revoke_grant(client: ClientId, grant_id: str) -> None:
    dal.revoke(client.account_id, dal.grant_sk(client.client_key, grant_id), clock.now_iso())
    auth.forget_verified()


def _token_generator(kind: str) -> Callable[[Request], str]:
    def generate(request: Request) -> str:
        client, grant_id = client_of(request).ref, _exchange(request).grant_id
        return str(Token(kind, client.account_id, client.client_key, grant_id, ids.new_id(), tokens.new_secret()))

    return generate


def _check_code_verifier(request: Request) -> None:
    """Before the code is read: a verifier of the wrong form is a malformed request (RFC 7636 §4.1)."""
    if request.code_verifier is not None and not CODE_VERIFIER.fullmatch(request.code_verifier):
        raise errors.InvalidRequestError(
            description="code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1).",
            request=request,
        )


def _refuse_pkce_downgrade(request: Request) -> None:
    """A verifier for a code issued without a challenge (RFC 9700 §2.1.1): who sends one expected PKCE,
    so the authorization request it belongs to is not the one this code came from."""
    if request.code_verifier is not None and _code_value(request, "code_challenge") is None:
        raise errors.InvalidGrantError(
            description="This code was issued without a code_challenge: a code_verifier cannot be checked.",
            request=request,
        )


def _check_refresh_scope(request: Request) -> None:
    """One known scope, once ("rw rw" or "ro admin" is refused before anything is read or spent)."""
    if request.scope is None:
        return
    scopes = str(request.scope).split()
    if len(scopes) != 1 or scopes[0] not in SCOPES:
        raise errors.InvalidScopeError(description="scope must be one of: ro, rw.", request=request)


@cache
def server() -> WebApplicationServer:
    web = WebApplicationServer(
        Validator(),
        token_expires_in=lambda request: settings.current().oauth_access_token_seconds,
        token_generator=_token_generator(tokens.ACCESS),
        refresh_token_generator=_token_generator(tokens.REFRESH),
    )
    # oauthlib's hooks around its own checks (its type stubs do not declare custom_validators).
    code_grant: Any = web.auth_grant
    refresh_grant: Any = web.refresh_grant
    code_grant.custom_validators.pre_token.append(_check_code_verifier)
    code_grant.custom_validators.post_token.append(_refuse_pkce_downgrade)
    refresh_grant.custom_validators.pre_token.append(_check_refresh_scope)
    return web
