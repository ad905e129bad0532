"""Driving the OAuth2 routes in-process, as a browser and a client would, and the fixtures of the OAuth
tests (test_oauth*.py import them): one account (and one other) per module, each test its own client, so
that fewer items keep the emulator quick for later tests."""

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from ringbridge import clock
from ringbridge.oauth import clients
from tests.support.api import Answer, call, lambda_answer
from tests.support.tenants import Tenant, make_tenant

REDIRECT = "https://ringotel.example.com/oauth/callback"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str
    cookies: list[str]

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers["location"]

    def redirect_params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.location).query).items()}


def send(
    method: str,
    path: str,
    *,
    query: str = "",
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    function_url: bool = False,
    source_ip: str = "127.0.0.1",
) -> Reply:
    all_headers = {"host": "api.example.com", "x-forwarded-proto": "https", **(headers or {})}
    body = None
    if form is not None:
        all_headers.setdefault("content-type", "application/x-www-form-urlencoded")
        body = urlencode(form).encode()
    if cookies:
        all_headers["cookie"] = "; ".join(cookies)
    answer = lambda_answer(
        method, path, raw_query=query, headers=all_headers, body=body, function_url=function_url, source_ip=source_ip
    )
    body_text = answer.get("body") or ""
    if answer.get("isBase64Encoded"):
        body_text = base64.b64decode(body_text).decode()
    return Reply(
        answer["statusCode"],
        {k.lower(): v for k, v in (answer.get("headers") or {}).items()},
        body_text,
        [cookie.split(";", 1)[0] for cookie in answer.get("cookies") or []],
    )


@pytest.fixture(name="tenant", scope="module")
def tenant_fixture() -> Tenant:
    return make_tenant("UA")


@pytest.fixture(name="other_tenant", scope="module")
def other_tenant_fixture() -> Tenant:
    return make_tenant("US", "Other account")


@pytest.fixture(name="client")
def client_fixture(tenant: Tenant) -> dict[str, str]:
    return register(tenant.account_id)


@pytest.fixture(name="later")
def later_fixture() -> Iterator[Callable[[float], None]]:
    """The clock stands still from now on; ``later(s)`` moves it to ``s`` seconds after this moment."""
    with clock.manual() as time:
        moved = [0.0]

        def move(seconds: float) -> None:
            time.advance(seconds - moved[0])
            moved[0] = seconds

        yield move


def register(account_id: str, *uris: str, name: str = "Ringotel", require_pkce: bool = False) -> dict[str, str]:
    return clients.create_client(account_id, name, list(uris or (REDIRECT,)), require_pkce)


def find(token: str, phone: str = "+380441112233") -> Answer:
    """FindContact: what an access token is for (200 while it works, 403 once refused)."""
    return call("GET", "/ringotel/contacts/find", token, query={"phone": phone})


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_query(client_id: str, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "state": "st-" + secrets.token_hex(4),
        "scope": "rw",
        **overrides,
    }
    return urlencode({k: v for k, v in params.items() if v is not None})


def csrf_field(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def decide(query: str, decision: str, api_token: str | None, **kwargs: Any) -> Reply:
    """Open the consent page, then send its form with ``decision`` as a browser would (cookie included)."""
    page = send("GET", "/oauth/authorize", query=query)
    assert page.status == 200, page.body
    form = {"request": query, "csrf_token": csrf_field(page.body), "decision": decision}
    if api_token is not None:
        form["api_token"] = api_token
    return send("POST", "/oauth/authorize", form=form, cookies=page.cookies, **kwargs)


def approve(client: dict[str, str], api_token: str, **overrides: str | None) -> dict[str, str]:
    """The redirect's parameters (code, state) after an approval."""
    reply = decide(authorize_query(client["client_id"], **overrides), "approve", api_token)
    assert reply.status == 302, reply.body
    return reply.redirect_params()


def basic(client: dict[str, str]) -> dict[str, str]:
    pair = f"{client['client_id']}:{client['client_secret']}".encode()
    return {"authorization": "Basic " + base64.b64encode(pair).decode()}


def send_revoke(client: dict[str, str], token: str, hint: str | None = None) -> Reply:
    form = {"token": token, **({"token_type_hint": hint} if hint else {})}
    return send("POST", "/oauth/revoke", form=form, headers=basic(client))


def token_request(client: dict[str, str] | None, form: dict[str, str], *, in_body: bool = False) -> Reply:
    headers = basic(client) if client and not in_body else {}
    if client and in_body:
        form = {**form, "client_id": client["client_id"], "client_secret": client["client_secret"]}
    return send("POST", "/oauth/token", form=form, headers=headers)


def exchange(client: dict[str, str], code: str, **extra: str) -> Reply:
    return token_request(client, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra})


def refresh(client: dict[str, str], refresh_token: str, **extra: str) -> Reply:
    return token_request(client, {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})


def tokens(client: dict[str, str], api_token: str) -> dict[str, Any]:
    """A fresh grant's first token answer."""
    params = approve(client, api_token)
    reply = exchange(client, params["code"])
    assert reply.status == 200, reply.body
    return reply.json()
