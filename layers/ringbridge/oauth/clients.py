"""Registered OAuth2 clients: what ``ringbridge admin create-oauth-client`` and friends do."""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ringbridge import auth, clock, ids, tokens
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import oauth as dal
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.tokens import ClientId

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_redirect_uri(uri: str) -> str:
    """An absolute https URL without a fragment (RFC 6749 §3.1.2); plain http only to this machine."""
    parts = urlsplit(uri)
    if parts.fragment or not parts.hostname or parts.scheme not in ("https", "http"):
        raise InvalidInput(f"{uri!r} is not an absolute http(s) URL without a #fragment", field="redirect_uri")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInput(f"{uri!r} must use https (plain http only for 127.0.0.1/localhost)", field="redirect_uri")
    return uri


def create_client(account_id: str, name: str, redirect_uris: list[str], require_pkce: bool = False) -> dict[str, str]:
    """Register a client; answers its id and secret. Only the secret's hash is kept: it is shown once.

    ``require_pkce``: its authorization requests must carry an S256 code_challenge. Off by default:
    phone systems' OAuth clients (Ringotel's among them) often send none.
    """
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    if not redirect_uris:
        raise InvalidInput("at least one is needed", field="redirect_uri")
    uris = [check_redirect_uri(uri) for uri in dict.fromkeys(redirect_uris)]
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    client_id, secret = ClientId(account_id, ids.new_id()), tokens.new_secret()
    dal.put_client(
        account_id,
        client_id.client_key,
        {
            "client_id": str(client_id),
            "name": name.strip(),
            "redirect_uris": uris,
            "secret_hash": tokens.hash_secret(secret),
            "require_pkce": require_pkce,
            "created_at": clock.now_iso(),
        },
    )
    return {"client_id": str(client_id), "client_secret": secret}


def list_clients(account_id: str) -> list[dict[str, Any]]:
    """Client metadata (never the secret's hash)."""
    accounts_dal.get_account(account_id)
    shown = ("client_id", "name", "redirect_uris", "require_pkce", "created_at", "revoked_at")
    clients: Sequence[Mapping[str, Any]] = dal.list_clients(account_id)
    return [{k: client[k] for k in shown if k in client} for client in clients]


def revoke_client(account_id: str, client_id: str) -> None:
    """Revoke a client; every token it holds stops working with it (tokens are checked against it)."""
    ref = tokens.parse_client_id(client_id)
    if (
        ref is None
        or ref.account_id != account_id
        or not dal.revoke(account_id, dal.client_sk(ref.client_key), clock.now_iso())
    ):
        raise NotFound("no such OAuth client", field="client_id")
    auth.forget_verified()
