"""Every header an answer carries is declared for its route and status in the OpenAPI document (issue 24), so
that a generated client sees it: ETag, the next page's X-Next-Cursor and Link, a whole list's encoding, OAuth's
caching and redirect headers, the consent page's."""

import functools
import json
from typing import Any

import pytest

from ringbridge_tools.local import lambdas
from tests.integration.oauth_flow import (  # noqa: F401 - fixtures
    authorize_query,
    client_fixture,
    decide,
    other_tenant_fixture,
    refresh,
    send,
    send_revoke,
    tenant_fixture,
    token_request,
    tokens,
)
from tests.support.api import call
from tests.support.tenants import Tenant

# Content-Type is the media type's, never a declared header (OpenAPI 3.1 §4.8.17.1).
UNDECLARED = {"content-type"}


@functools.cache
def _operation_responses(method: str, path: str) -> dict[str, Any]:
    function, route = lambdas.route(method, path)  # type: ignore[misc]
    document = json.loads(lambdas.module_of(function).app.get_openapi_json_schema())
    return document["paths"][route.path][method.lower()]["responses"]


def declared(method: str, path: str, status: int) -> dict[str, Any]:
    """The headers declared for an answer, lower-cased, with their schemas."""
    headers = _operation_responses(method, path)[str(status)].get("headers", {})
    return {name.lower(): spec.get("schema") for name, spec in headers.items()}


def assert_declared(method: str, path: str, status: int, sent: set[str], expected: set[str]) -> None:
    """The answer had ``status`` and the headers ``expected`` (the ones this case must carry), all declared,
    each as the text a header is on the wire, so that a generated client reads it as a string."""
    assert sent - UNDECLARED == expected, (method, path)
    documented = declared(method, path, status)
    assert expected <= set(documented), (method, path, status)
    assert {name: documented[name]["type"] for name in expected} == dict.fromkeys(expected, "string")


def test_versioned_items_carry_a_declared_etag(tenant: Tenant) -> None:
    created = call("POST", "/ringio/contacts", tenant.rw_token, json_body={"contact": {"name": "Ivan Franko"}})
    contact_id = created.body["contact"]["id"]
    read = call("GET", f"/ringio/contacts/{contact_id}", tenant.rw_token)
    ringotel = call("POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "Lesya"})

    assert (created.status, read.status, ringotel.status) == (201, 200, 201)
    assert_declared("POST", "/ringio/contacts", 201, set(created.headers), {"etag"})
    assert_declared("GET", f"/ringio/contacts/{contact_id}", 200, set(read.headers), {"etag"})
    assert_declared("POST", "/ringotel/contacts", 201, set(ringotel.headers), {"etag"})


def test_a_page_with_more_after_it_carries_the_declared_cursor_headers_and_the_last_none(tenant: Tenant) -> None:
    for name in ("Taras Shevchenko", "Marko Vovchok"):
        call("POST", "/ringio/contacts", tenant.rw_token, json_body={"contact": {"name": name}})

    pages = [call("GET", "/ringio/contacts", tenant.rw_token, query={"limit": "1"})]
    while "x-next-cursor" in pages[-1].headers:
        cursor = pages[-1].headers["x-next-cursor"]
        pages.append(call("GET", "/ringio/contacts", tenant.rw_token, query={"limit": "1", "cursor": cursor}))

    assert len(pages) >= 3 and not pages[-1].body  # a page with every contact, then the empty last one
    for page in pages[:-1]:
        assert_declared("GET", "/ringio/contacts", 200, set(page.headers), {"x-next-cursor", "link"})
    assert_declared("GET", "/ringio/contacts", 200, set(pages[-1].headers), set())


def test_a_whole_list_declares_how_it_is_encoded(tenant: Tenant) -> None:
    plain = call("GET", "/ringotel/contacts", tenant.rw_token)
    gzipped = call("GET", "/ringotel/contacts", tenant.rw_token, headers={"Accept-Encoding": "gzip"})

    assert_declared("GET", "/ringotel/contacts", 200, set(plain.headers), {"vary"})
    assert_declared("GET", "/ringotel/contacts", 200, set(gzipped.headers), {"vary", "content-encoding"})


@pytest.mark.parametrize("path", ["/ringotel/logo.svg"])
def test_the_logo_declares_its_caching(path: str) -> None:
    answer = call("GET", path)
    assert_declared("GET", path, 200, set(answer.headers), {"cache-control"})


def test_the_consent_page_and_its_redirects_declare_their_headers(client: dict[str, str]) -> None:
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"]))
    unknown = send("GET", "/oauth/authorize", query=authorize_query("nobody"))
    denied = decide(authorize_query(client["client_id"]), "deny", None)
    security = {
        "content-security-policy",
        "x-frame-options",
        "referrer-policy",
        "cache-control",
        "x-content-type-options",
    }

    assert page.cookies  # the form's CSRF cookie
    assert_declared("GET", "/oauth/authorize", 200, {*page.headers, "set-cookie"}, {*security, "set-cookie"})
    assert_declared("GET", "/oauth/authorize", 400, set(unknown.headers), security)
    assert_declared("POST", "/oauth/authorize", 302, set(denied.headers), {"location", "cache-control"})


def test_token_and_revocation_answers_declare_their_headers(tenant: Tenant, client: dict[str, str]) -> None:
    granted = refresh(client, tokens(client, tenant.rw_token)["refresh_token"])
    wrong_secret = token_request(
        {**client, "client_secret": "wrong"}, {"grant_type": "refresh_token", "refresh_token": "x"}
    )
    unsupported = token_request(client, {"grant_type": "password"})
    revoked = send_revoke(client, granted.json()["refresh_token"])

    assert (granted.status, wrong_secret.status, unsupported.status, revoked.status) == (200, 401, 400, 200)
    assert_declared("POST", "/oauth/token", 200, set(granted.headers), {"cache-control", "pragma"})
    assert_declared(
        "POST", "/oauth/token", 401, set(wrong_secret.headers), {"cache-control", "pragma", "www-authenticate"}
    )
    assert_declared("POST", "/oauth/token", 400, set(unsupported.headers), {"cache-control", "pragma"})
    assert_declared("POST", "/oauth/revoke", 200, set(revoked.headers), {"cache-control"})
