"""The OAuth2 authorization server, in-process against the emulator: the flow, access tokens, revocation,
registration (the token endpoint's refusals, PKCE and the consent page have test_oauth_*.py of their own)."""

import json
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from ringbridge import auth, clock, ids, settings
from ringbridge.dal import table
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.oauth import clients
from ringbridge.tokens import ClientId
from ringbridge_tools import cli
from tests.integration.oauth_flow import (  # noqa: F401 - fixtures
    REDIRECT,
    approve,
    authorize_query,
    client_fixture,
    decide,
    exchange,
    find,
    later_fixture,
    other_tenant_fixture,
    pkce_pair,
    refresh,
    register,
    send,
    send_revoke,
    tenant_fixture,
    token_request,
    tokens,
)
from tests.support.api import call
from tests.support.dynamodb import dynamodb_hook
from tests.support.tenants import make_tenant

# --- the whole flow ----------------------------------------------------------------------------


def test_consent_code_exchange_and_the_access_token_works_like_an_api_token(tenant, client):
    # Given the administrator approves on the consent page
    params = approve(client, tenant.rw_token, state="xyz-42")
    # Then the client gets a code and its own state back
    assert params["state"] == "xyz-42" and params["code"]
    # When it exchanges the code (HTTP Basic client authentication)
    answer = exchange(client, params["code"])
    assert answer.status == 200, answer.body
    assert answer.headers["cache-control"] == "no-store"
    issued = answer.json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600 and issued["scope"] == "rw"
    # Then the access token reads and writes like an rw API token
    created = call(
        "POST",
        "/ringotel/contacts",
        issued["access_token"],
        json_body={"first_name": "Ivan", "phones": [{"number": "044 111 22 33", "type": "work"}]},
    )
    assert created.status == 201, created.body
    assert [c["id"] for c in find(issued["access_token"]).body["contacts"]] == [created.body["id"]]


def test_client_credentials_in_the_body_work_too(tenant, client):
    params = approve(client, tenant.rw_token)
    answer = token_request(
        client, {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT}, in_body=True
    )
    assert answer.status == 200, answer.body


def test_a_ro_grant_reads_but_cannot_write(tenant, client):
    params = approve(client, tenant.rw_token, scope="ro")
    issued = exchange(client, params["code"]).json()
    assert issued["scope"] == "ro"
    assert find(issued["access_token"]).status == 200
    refused = call("POST", "/ringotel/contacts", issued["access_token"], json_body={"first_name": "X"})
    assert refused.status == 403


def test_without_scope_the_grant_is_read_only(tenant, client):
    params = approve(client, tenant.rw_token, scope=None)
    assert exchange(client, params["code"]).json()["scope"] == "ro"


def test_warm_findcontact_with_an_access_token_is_one_round_trip(tenant, client, no_scan):
    access = tokens(client, tenant.rw_token)["access_token"]
    del no_scan[:]
    assert find(access).status == 200
    # First use: token, grant, client and account in one BatchGetItem, then the Query
    assert no_scan == ["BatchGetItem", "Query"]
    del no_scan[:]
    assert find(access).status == 200
    assert no_scan == ["Query"]


# --- expiry and revocation of access tokens --------------------------------------------------------


def test_an_access_token_expires_after_an_hour_even_in_a_warm_function(tenant, client, later):
    issued = tokens(client, tenant.rw_token)
    assert find(issued["access_token"]).status == 200  # verified and cached
    later(3599)
    assert find(issued["access_token"]).status == 200
    later(3600)
    refused = find(issued["access_token"])
    assert refused.status == 403 and "expired" in refused.body["error"]["message"]
    # And the refresh token still gives a new one
    renewed = refresh(client, issued["refresh_token"]).json()
    assert find(renewed["access_token"]).status == 200


def test_an_access_token_is_refused_from_the_second_it_expires(tenant, client, monkeypatch):
    start = datetime.fromtimestamp(int(clock.now().timestamp()), UTC)  # a whole second: expiry is in seconds
    moment = {"now": start}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    issued = tokens(client, tenant.rw_token)

    moment["now"] = start + timedelta(seconds=3600, milliseconds=-1)
    assert find(issued["access_token"]).status == 200
    moment["now"] = start + timedelta(seconds=3600)
    refused = find(issued["access_token"])

    assert refused.status == 403
    assert refused.body["error"]["message"] == "this access token has expired; use the refresh token"


def test_a_refused_access_token_is_told_why(tenant, client):
    issued = tokens(client, tenant.rw_token)
    token = issued["access_token"]
    wrong_secret = token[:-1] + ("A" if token[-1] != "A" else "B")  # the right shape, one character off
    for wrong in ["rba_not_a_token", wrong_secret]:
        answer = find(wrong)
        assert (answer.status, answer.body["error"]["message"]) == (403, "invalid access token")
    send_revoke(client, issued["access_token"])
    answer = find(issued["access_token"])
    assert (answer.status, answer.body["error"]["message"]) == (403, "this access token was revoked")


def test_the_access_token_lifetime_is_a_setting(tenant, client, monkeypatch, later):
    monkeypatch.setenv("OAUTH_ACCESS_TOKEN_SECONDS", "120")
    settings.reload()
    issued = tokens(client, tenant.rw_token)
    assert issued["expires_in"] == 120
    later(120)
    assert find(issued["access_token"]).status == 403


def test_revoking_an_access_token_ends_its_grant(tenant, client):
    issued = tokens(client, tenant.rw_token)
    assert find(issued["access_token"]).status == 200
    answer = send_revoke(client, issued["access_token"], "access_token")
    assert answer.status == 200
    assert find(issued["access_token"]).status == 403
    assert refresh(client, issued["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoking_a_refresh_token_ends_its_grant(tenant, client):
    issued = tokens(client, tenant.rw_token)
    assert send_revoke(client, issued["refresh_token"]).status == 200
    assert find(issued["access_token"]).status == 403


def test_revoking_another_clients_token_is_refused_and_the_token_keeps_working(tenant, client):
    thief = register(tenant.account_id, name="Other app")
    issued = tokens(client, tenant.rw_token)
    for token in (issued["access_token"], issued["refresh_token"]):
        refused = send_revoke(thief, token)
        # RFC 7009 §2.1: the client is told, with RFC 6749 §5.2's error
        assert refused.status == 400
        assert refused.json() == {
            "error": "unauthorized_client",
            "error_description": "This token was not issued to this client.",
        }
    assert find(issued["access_token"]).status == 200
    assert refresh(client, issued["refresh_token"]).status == 200


def test_revoking_an_unknown_token_answers_200(client):
    assert send_revoke(client, "rba_not_a_real_token_at_all").status == 200
    assert send_revoke(client, "not even the shape of one").status == 200


def test_revoke_needs_client_authentication_and_a_token(client):
    from tests.integration.oauth_flow import basic

    unauthenticated = send("POST", "/oauth/revoke", form={"token": "x"})
    assert unauthenticated.status == 401 and unauthenticated.json()["error"] == "invalid_client"
    missing = send("POST", "/oauth/revoke", form={}, headers=basic(client))
    assert missing.status == 400 and missing.json()["error"] == "invalid_request"


def test_revoking_the_client_ends_its_tokens_and_its_consent_page():
    tenant = make_tenant("UA")
    client = register(tenant.account_id)
    issued = tokens(client, tenant.rw_token)
    assert find(issued["access_token"]).status == 200
    clients.revoke_client(tenant.account_id, client["client_id"])
    assert find(issued["access_token"]).status == 403
    assert refresh(client, issued["refresh_token"]).status == 401
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"]))
    assert page.status == 400 and "location" not in page.headers
    assert [c["revoked_at"] is not None for c in clients.list_clients(tenant.account_id)] == [True]


def test_a_client_is_revoked_only_from_its_own_account(tenant, other_tenant, client):
    # Another account's client is refused exactly as a client id that is no one's
    for account_id, client_id in ((other_tenant.account_id, client["client_id"]), (tenant.account_id, "rbo_x_y")):
        with pytest.raises(NotFound) as refused:
            clients.revoke_client(account_id, client_id)
        assert (refused.value.message, refused.value.field) == ("no such OAuth client", "client_id")
    [listed] = [c for c in clients.list_clients(tenant.account_id) if c["client_id"] == client["client_id"]]
    assert "revoked_at" not in listed


def test_an_access_token_read_under_throttling_is_refused_never_a_5xx(tenant, client):
    issued = tokens(client, tenant.rw_token)

    def nothing_processed(params, **_):
        # DynamoDB under throttling may process none of a BatchGetItem's keys: no table in Responses at all
        return SimpleNamespace(status_code=200, headers={}), {
            "Responses": {},
            "UnprocessedKeys": json.loads(params["body"])["RequestItems"],
        }

    with dynamodb_hook("before-call.dynamodb.BatchGetItem", nothing_processed):
        assert find(issued["access_token"]).status == 403
    assert find(issued["access_token"]).status == 200


def test_a_tampered_access_token_is_refused(tenant, client):
    access = tokens(client, tenant.rw_token)["access_token"]
    assert find(access[:-2] + ("AA" if not access.endswith("AA") else "BB")).status == 403
    assert find("rba_" + "_".join(["x"] * 5)).status == 403
    assert find("rba_broken").status == 403


# --- cross-account ---------------------------------------------------------------------------------


def test_an_access_token_sees_only_its_own_accounts_data(tenant, other_tenant, client):
    theirs = call(
        "POST",
        "/ringotel/contacts",
        other_tenant.rw_token,
        json_body={"first_name": "Bob", "phones": [{"number": "+380445556677", "type": "work"}]},
    )
    assert theirs.status == 201
    access = tokens(client, tenant.rw_token)["access_token"]
    assert find(access, "+380445556677").body["contacts"] == []
    assert call("PUT", f"/ringotel/contacts/{theirs.body['id']}", access, json_body={"first_name": "X"}).status == 404


def admin(*args: str) -> int:
    """``ringbridge admin`` as the integrator types it, against this test session's table."""
    return cli.main(["admin", "--table", table.name(), *args])


def test_the_cli_lists_an_accounts_clients_and_revokes_them(capsys):
    tenant = make_tenant("UA")
    with clock.manual() as time:
        made_at = clock.now_iso()
        assert admin("create-oauth-client", tenant.account_id, "--name", " Ringotel ", "--redirect-uri", REDIRECT) == 0
        made = json.loads(capsys.readouterr().out)
        time.advance(60)
        revoked_at = clock.now_iso()
        assert admin("list-oauth-clients", tenant.account_id) == 0
        shown = {
            "client_id": made["client_id"],
            "name": "Ringotel",
            "redirect_uris": [REDIRECT],
            "require_pkce": False,
            "created_at": made_at,
        }
        assert json.loads(capsys.readouterr().out) == [shown]

        assert admin("revoke-oauth-client", tenant.account_id, made["client_id"]) == 0
        assert json.loads(capsys.readouterr().out)["revoked"] is True
        # a client id of this account that was never registered: an error, and nothing is written for it
        never = str(ClientId(tenant.account_id, ids.new_id()))
        assert admin("revoke-oauth-client", tenant.account_id, never) == 1
        assert capsys.readouterr().err == "error: no such OAuth client (CLIENT_ID)\n"

    assert admin("list-oauth-clients", tenant.account_id) == 0
    assert json.loads(capsys.readouterr().out) == [{**shown, "revoked_at": revoked_at}]


# --- registration and logs ---------------------------------------------------------------------------


NOT_ABSOLUTE = "is not an absolute http(s) URL without a #fragment"
NOT_HTTPS = "must use https (plain http only for 127.0.0.1/localhost)"


@pytest.mark.parametrize(
    ("name", "uris", "problem", "field"),
    [
        ("App", ["http://ringotel.example.com/cb"], f"'http://ringotel.example.com/cb' {NOT_HTTPS}", "redirect_uri"),
        ("App", ["https://x.example.com/cb#frag"], f"'https://x.example.com/cb#frag' {NOT_ABSOLUTE}", "redirect_uri"),
        ("App", ["ftp://x.example.com"], f"'ftp://x.example.com' {NOT_ABSOLUTE}", "redirect_uri"),
        ("App", ["/relative"], f"'/relative' {NOT_ABSOLUTE}", "redirect_uri"),
        ("App", [REDIRECT, "https:///cb"], f"'https:///cb' {NOT_ABSOLUTE}", "redirect_uri"),
        ("App", [], "at least one is needed", "redirect_uri"),
        (" ", [REDIRECT], "must not be empty", "name"),
    ],
)
def test_registering_refuses_what_is_no_client_naming_the_field(name, uris, problem, field):
    tenant = make_tenant("UA")
    with pytest.raises(InvalidInput) as refused:
        clients.create_client(tenant.account_id, name, uris)
    assert (refused.value.message, refused.value.field) == (problem, field)
    assert clients.list_clients(tenant.account_id) == []  # nothing half-written


def test_registering_keeps_the_redirect_uris_once_each_and_no_secret():
    tenant = make_tenant("UA")
    with pytest.raises(NotFound):
        clients.create_client("01NOSUCHACCOUNT", "App", [REDIRECT])
    loopback = ["http://127.0.0.1:8765/cb", "http://localhost:8765/cb", "http://[::1]:8765/cb"]
    made = clients.create_client(tenant.account_id, " App ", [*loopback, REDIRECT, loopback[0]], require_pkce=True)
    [shown] = clients.list_clients(tenant.account_id)
    assert shown["client_id"] == made["client_id"]
    assert (shown["name"], shown["redirect_uris"], shown["require_pkce"]) == ("App", [*loopback, REDIRECT], True)
    assert made["client_secret"] not in str(shown) and "secret_hash" not in shown
    # Unless asked, a client need not send PKCE (phone systems' clients often cannot)
    plain = clients.create_client(tenant.account_id, "Plain", [REDIRECT])
    assert [
        c["require_pkce"] for c in clients.list_clients(tenant.account_id) if c["client_id"] == plain["client_id"]
    ] == [False]


def test_tokens_codes_and_secrets_never_reach_the_logs(tenant, client, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    verifier, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    issued = exchange(client, code, code_verifier=verifier).json()
    renewed = refresh(client, issued["refresh_token"]).json()
    find(renewed["access_token"])
    refresh(client, issued["refresh_token"])  # a refusal logs too
    send_revoke(client, renewed["access_token"])
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert logged  # the flow did log (oauthlib at DEBUG, the functions' own lines)
    secrets_seen = [
        code,
        verifier,
        client["client_secret"],
        tenant.rw_token,
        *issued.values(),
        *renewed.values(),
    ]
    for secret in secrets_seen:
        if isinstance(secret, str) and len(secret) > 20:
            assert secret not in logged
    assert code.split("_", 1)[1] not in logged


def test_the_forgotten_cache_makes_revocation_immediate_in_this_process(tenant, client):
    issued = tokens(client, tenant.rw_token)
    assert find(issued["access_token"]).status == 200
    assert auth._verified  # cached
    send_revoke(client, issued["refresh_token"])
    assert find(issued["access_token"]).status == 403


# --- the integration document's auth variants, on the public route ----------------------------------


@pytest.mark.parametrize("kind", ["bearer", "basic", "oauth2"])
def test_the_public_document_route_takes_the_auth_kind(kind):
    answer = call("GET", "/ringotel/integration.json", query={"auth": kind}, headers={"host": "api.example.com"})
    assert answer.status == 200
    assert ("OAuth2" in answer.body) == (kind == "oauth2")
    if kind == "oauth2":
        assert answer.body["OAuth2"]["token_endpoint"] == "http://api.example.com/oauth/token"
    else:
        assert answer.body["auth"]["type"] == kind.capitalize()


def test_the_public_document_route_refuses_an_unknown_auth_kind():
    answer = call("GET", "/ringotel/integration.json", query={"auth": "digest"})
    assert answer.status == 422 and answer.body["error"]["field"] == "auth"


def test_round_trips_of_the_consent_page_the_exchange_and_a_refresh(tenant, client, no_scan):
    query = authorize_query(client["client_id"])
    del no_scan[:]
    assert send("GET", "/oauth/authorize", query=query).status == 200
    assert no_scan == ["GetItem", "GetItem"]  # the client, the account
    code = approve(client, tenant.rw_token)["code"]
    del no_scan[:]
    issued = exchange(client, code).json()
    # client, code, then spending it and writing the grant and tokens in one transaction
    assert no_scan == ["GetItem", "GetItem", "TransactWriteItems"]
    del no_scan[:]
    assert refresh(client, issued["refresh_token"]).status == 200
    assert no_scan == ["GetItem", "BatchGetItem", "TransactWriteItems"]


def test_round_trips_are_the_same_when_the_client_leaves_out_its_only_redirect_uri(tenant, client, no_scan):
    query = authorize_query(client["client_id"], redirect_uri=None)
    del no_scan[:]
    assert send("GET", "/oauth/authorize", query=query).status == 200
    assert no_scan == ["GetItem", "GetItem"]  # the client, the account
    code = approve(client, tenant.rw_token, redirect_uri=None)["code"]
    del no_scan[:]
    answer = token_request(client, {"grant_type": "authorization_code", "code": code})
    assert answer.status == 200, answer.body
    assert no_scan == ["GetItem", "GetItem", "TransactWriteItems"]


def test_another_accounts_client_can_use_none_of_this_accounts_codes_or_tokens(tenant, other_tenant, client):
    foreign = register(other_tenant.account_id, name="Their app")
    code = approve(client, tenant.rw_token)["code"]
    assert exchange(foreign, code).json()["error"] == "invalid_grant"
    issued = exchange(client, code).json()
    assert refresh(foreign, issued["refresh_token"]).json()["error"] == "invalid_grant"
    assert send_revoke(foreign, issued["access_token"]).json()["error"] == "unauthorized_client"
    assert find(issued["access_token"]).status == 200  # untouched
    # Nor can its administrator approve for this account's client
    refused = decide(authorize_query(client["client_id"]), "approve", other_tenant.rw_token)
    assert refused.status == 403 and "another account" in refused.body
