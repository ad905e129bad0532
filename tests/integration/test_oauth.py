"""The OAuth2 authorization server, in-process against the emulator: the flow and every refusal."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from ringbridge import auth, clock
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.oauth import clients
from tests.conftest import call, make_tenant
from tests.integration.oauth_flow import (
    REDIRECT,
    approve,
    authorize_query,
    csrf_field,
    decide,
    exchange,
    pkce_pair,
    refresh,
    register,
    send,
    token_request,
    tokens,
)


# One account (and one other) for the whole module: each test registers its own client, and
# fewer items keep the emulator's transactions (which copy the whole table) quick for later tests.
@pytest.fixture(scope="module")
def tenant():
    return make_tenant("UA")


@pytest.fixture(scope="module")
def other_tenant():
    return make_tenant("US", "Other account")


@pytest.fixture
def client(tenant):
    return register(tenant.account_id)


@pytest.fixture
def later(monkeypatch):
    """The clock stands still from now on; ``later(s)`` moves it to ``s`` seconds after this moment."""
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)

    def move(seconds: float) -> None:
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=seconds))

    return move


def find(token, phone="+380441112233"):
    return call("GET", "/ringotel/contacts/find", token, query={"phone": phone})


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


# --- the token endpoint's refusals ---------------------------------------------------------------


def test_a_wrong_or_missing_client_secret_is_invalid_client_401(tenant, client):
    code = approve(client, tenant.rw_token)["code"]
    wrong = {**client, "client_secret": client["client_secret"] + "x"}
    for answer in (
        exchange(wrong, code),
        token_request(None, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}),
        token_request({**client, "client_id": "rbo_nope_nope"}, {"grant_type": "authorization_code", "code": code}),
    ):
        assert answer.status == 401 and answer.json()["error"] == "invalid_client", answer.body
        assert answer.headers["www-authenticate"].startswith("Basic")
    # The code was not spent by those attempts
    assert exchange(client, code).status == 200


def test_unsupported_grant_types(client):
    for grant in ("password", "client_credentials", "implicit"):
        answer = token_request(client, {"grant_type": grant, "username": "a", "password": "b"})
        assert answer.status == 400 and answer.json()["error"] == "unsupported_grant_type", grant
    assert token_request(client, {}).json()["error"] in ("invalid_request", "unsupported_grant_type")


def test_a_code_works_once_and_its_reuse_revokes_what_it_gave(tenant, client):
    code = approve(client, tenant.rw_token)["code"]
    issued = exchange(client, code).json()
    assert find(issued["access_token"]).status == 200
    # When the same code comes again (it leaked)
    again = exchange(client, code)
    # Then it is refused and the tokens of its first use stop working
    assert again.status == 400 and again.json()["error"] == "invalid_grant"
    assert find(issued["access_token"]).status == 403
    assert refresh(client, issued["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_code_expires_after_ten_minutes(tenant, client, later):
    code = approve(client, tenant.rw_token)["code"]
    later(600)
    assert exchange(client, code).json()["error"] == "invalid_grant"


def test_a_code_just_under_ten_minutes_old_works(tenant, client, later):
    code = approve(client, tenant.rw_token)["code"]
    later(599)
    assert exchange(client, code).status == 200


def test_the_redirect_uri_must_match_the_codes(tenant):
    other = "https://ringotel.example.com/second"
    client = register(tenant.account_id, REDIRECT, other)
    code = approve(client, tenant.rw_token)["code"]
    answer = exchange(client, code, redirect_uri=other)
    # oauthlib answers invalid_request for this case (RFC 6749 §5.2 would also allow invalid_grant)
    assert answer.status == 400 and answer.json()["error_description"] == "Mismatching redirect URI."


def test_a_code_is_bound_to_its_client(tenant, client):
    thief = register(tenant.account_id, name="Other app")
    code = approve(client, tenant.rw_token)["code"]
    assert exchange(thief, code).json()["error"] == "invalid_grant"
    assert exchange(client, code).status == 200


def test_garbage_codes_are_invalid_grant(client):
    for code in ("x", "01ABC_secret", "", "_"):
        answer = exchange(client, code)
        assert answer.status == 400 and answer.json()["error"] in ("invalid_grant", "invalid_request"), code


# --- PKCE ------------------------------------------------------------------------------------------


def test_pkce_s256_verified(tenant, client):
    verifier, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    assert exchange(client, code, code_verifier=verifier).status == 200


def test_pkce_wrong_verifier_is_invalid_grant(tenant, client):
    _, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    answer = exchange(client, code, code_verifier=pkce_pair()[0])
    assert answer.status == 400 and answer.json()["error"] == "invalid_grant"


def test_pkce_missing_verifier_is_refused(tenant, client):
    _, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    answer = exchange(client, code)
    assert answer.status == 400 and answer.json()["error"] == "invalid_request"


def test_pkce_plain_is_refused_back_at_the_redirect_uri(client):
    page = send(
        "GET",
        "/oauth/authorize",
        query=authorize_query(client["client_id"], code_challenge="abc", code_challenge_method="plain"),
    )
    assert page.status == 302 and page.location.startswith(REDIRECT)
    assert page.redirect_params()["error"] == "invalid_request"


# --- refresh tokens --------------------------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_grant(tenant, client):
    first = tokens(client, tenant.rw_token)
    second = refresh(client, first["refresh_token"])
    assert second.status == 200 and second.headers["cache-control"] == "no-store"
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert find(second["access_token"]).status == 200
    # When the already used refresh token comes back (it leaked)
    reused = refresh(client, first["refresh_token"])
    # Then it is refused, and every token of the grant stops working
    assert reused.status == 400 and reused.json()["error"] == "invalid_grant"
    assert find(second["access_token"]).status == 403
    assert find(first["access_token"]).status == 403
    assert refresh(client, second["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_refresh_may_narrow_rw_to_ro_but_not_widen(tenant, client):
    first = tokens(client, tenant.rw_token)
    narrowed = refresh(client, first["refresh_token"], scope="ro").json()
    assert narrowed["scope"] == "ro"
    assert call("POST", "/ringotel/contacts", narrowed["access_token"], json_body={"first_name": "X"}).status == 403
    ro_client = register(tenant.account_id, name="Reader")
    ro = exchange(ro_client, approve(ro_client, tenant.rw_token, scope="ro")["code"]).json()
    widened = refresh(ro_client, ro["refresh_token"], scope="rw")
    assert widened.status == 400 and widened.json()["error"] == "invalid_scope"


def test_a_refresh_token_is_bound_to_its_client(tenant, client):
    thief = register(tenant.account_id, name="Other app")
    first = tokens(client, tenant.rw_token)
    assert refresh(thief, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert refresh(client, first["refresh_token"]).status == 200


def test_an_access_token_is_not_a_refresh_token(tenant, client):
    first = tokens(client, tenant.rw_token)
    assert refresh(client, first["access_token"]).json()["error"] == "invalid_grant"


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


def test_revoke_answers_200_for_unknown_tokens_and_other_clients_tokens_survive(tenant, client):
    thief = register(tenant.account_id, name="Other app")
    issued = tokens(client, tenant.rw_token)
    assert send_revoke(thief, issued["access_token"]).status == 200
    assert send_revoke(client, "rba_not_a_real_token_at_all").status == 200
    assert find(issued["access_token"]).status == 200


def test_revoke_needs_client_authentication_and_a_token(client):
    from tests.integration.oauth_flow import basic

    unauthenticated = send("POST", "/oauth/revoke", form={"token": "x"})
    assert unauthenticated.status == 401 and unauthenticated.json()["error"] == "invalid_client"
    missing = send("POST", "/oauth/revoke", form={}, headers=basic(client))
    assert missing.status == 400 and missing.json()["error"] == "invalid_request"


def send_revoke(client, token, hint=None):
    from tests.integration.oauth_flow import basic

    form = {"token": token, **({"token_type_hint": hint} if hint else {})}
    return send("POST", "/oauth/revoke", form=form, headers=basic(client))


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
    with pytest.raises(NotFound):
        clients.revoke_client(other_tenant.account_id, client["client_id"])
    with pytest.raises(NotFound):
        clients.revoke_client(tenant.account_id, "rbo_x_y")


def test_a_tampered_access_token_is_refused(tenant, client):
    access = tokens(client, tenant.rw_token)["access_token"]
    assert find(access[:-2] + ("AA" if not access.endswith("AA") else "BB")).status == 403
    assert find("rba_" + "_".join(["x"] * 5)).status == 403
    assert find("rba_broken").status == 403


# --- the consent page ------------------------------------------------------------------------------


def test_the_consent_page_names_the_client_the_account_and_the_scope(tenant, client):
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"]))
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "Ringotel" in page.body and "Test account" in page.body and "<strong>rw</strong>" in page.body
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "src=" not in page.body and "href=" not in page.body  # nothing external to load


def test_unknown_client_or_unregistered_redirect_get_an_error_page_never_a_redirect(tenant, client):
    evil = "https://evil.example.net/steal"
    attempts = [
        authorize_query("rbo_unknown_client", redirect_uri=evil),
        authorize_query("not-even-a-client-id"),
        authorize_query(client["client_id"], redirect_uri=evil),
        authorize_query(client["client_id"], redirect_uri=REDIRECT + "/../../evil"),
        authorize_query(client["client_id"], redirect_uri=REDIRECT + "?next=https://evil.example.net"),
        authorize_query(
            client["client_id"], redirect_uri="https://ringotel.example.com.evil.example.net/oauth/callback"
        ),
        authorize_query(client["client_id"], redirect_uri=REDIRECT.upper()),
        authorize_query(client["client_id"], redirect_uri="//evil.example.net"),
        authorize_query(None),
    ]
    for query in attempts:
        for method in ("GET", "POST"):
            if method == "GET":
                page = send("GET", "/oauth/authorize", query=query)
            else:
                page = send(
                    "POST",
                    "/oauth/authorize",
                    form={"request": query, "csrf_token": "t", "decision": "approve"},
                    cookies=["rb_oauth_csrf=t"],
                )
            assert page.status == 400, (query, page.status, page.body)
            assert "location" not in page.headers
            assert page.headers["content-type"].startswith("text/html")


def test_several_redirect_uris_need_one_named(tenant):
    client = register(tenant.account_id, REDIRECT, "https://ringotel.example.com/second")
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"], redirect_uri=None))
    assert page.status == 400 and "redirect_uri" in page.body


def test_the_single_registered_redirect_uri_is_the_default(tenant, client):
    params = approve(client, tenant.rw_token, redirect_uri=None)
    answer = token_request(client, {"grant_type": "authorization_code", "code": params["code"]})
    assert answer.status == 200, answer.body


def test_other_request_problems_go_back_to_the_client_with_its_state(client):
    for overrides, error in (
        ({"scope": "admin"}, "invalid_scope"),
        ({"scope": "ro rw"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
    ):
        page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"], state="s1", **overrides))
        assert page.status == 302 and page.location.startswith(REDIRECT + "?"), overrides
        assert page.redirect_params()["error"] == error and page.redirect_params()["state"] == "s1"


def test_deny_redirects_with_access_denied_and_needs_no_sign_in(client):
    reply = decide(authorize_query(client["client_id"], state="s2"), "deny", None)
    assert reply.status == 302 and reply.location.startswith(REDIRECT)
    assert reply.redirect_params() == {"error": "access_denied", "state": "s2"}


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("none", "Enter an rw API token"),
        ("wrong", "not valid"),
        ("ro", "read-only"),
        ("other_account", "another account"),
        ("access_token", "not an OAuth access token"),
    ],
)
def test_sign_in_refusals_show_the_page_again_with_403(tenant, other_tenant, client, which, expected):
    token = {
        "none": "",
        "wrong": tenant.rw_token[:-3] + "abc",
        "ro": tenant.ro_token,
        "other_account": other_tenant.rw_token,
        "access_token": tokens(client, tenant.rw_token)["access_token"] if which == "access_token" else "",
    }[which]
    reply = decide(authorize_query(client["client_id"]), "approve", token)
    assert reply.status == 403 and "location" not in reply.headers
    assert expected in reply.body and 'role="alert"' in reply.body
    assert csrf_field(reply.body) and reply.cookies  # a fresh form to try again


def test_csrf_the_form_needs_its_own_cookie(tenant, client):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query)
    field = csrf_field(page.body)
    form = {"request": query, "csrf_token": field, "decision": "approve", "api_token": tenant.rw_token}
    for cookies in ([], ["rb_oauth_csrf=forged"], [f"rb_oauth_csrf={field}x"]):
        reply = send("POST", "/oauth/authorize", form=form, cookies=cookies)
        assert reply.status == 403 and "location" not in reply.headers, cookies
    # A forged field with the right cookie fails too
    reply = send("POST", "/oauth/authorize", form={**form, "csrf_token": "forged"}, cookies=page.cookies)
    assert reply.status == 403
    # The real pair works
    assert send("POST", "/oauth/authorize", form=form, cookies=page.cookies).status == 302


def test_the_csrf_cookie_is_httponly_samesite_strict_and_secure_over_https(client):
    from ringbridge.local import lambdas

    function, route = lambdas.route("GET", "/oauth/authorize")
    event = lambdas.http_event(
        "GET",
        "/oauth/authorize",
        raw_query=authorize_query(client["client_id"]),
        headers={"host": "api.example.com", "x-forwarded-proto": "https"},
        route_path=route.path,
    )
    cookie = lambdas.invoke(function, event)["cookies"][0]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    assert "Path=/oauth/authorize" in cookie


def test_a_query_string_that_is_not_url_encoded_is_an_error_page(client):
    page = send("GET", "/oauth/authorize", query="client_id=a b<c>&x=%zz")
    assert page.status == 400 and page.headers["content-type"].startswith("text/html")


def test_the_function_url_shape_works_too(tenant, client):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query, function_url=True)
    assert page.status == 200


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


# --- registration and logs ---------------------------------------------------------------------------


def test_registering_checks_redirect_uris_and_keeps_no_secret():
    tenant = make_tenant("UA")
    for uri in ("http://ringotel.example.com/cb", "https://x.example.com/cb#frag", "ftp://x.example.com", "/relative"):
        with pytest.raises(InvalidInput):
            clients.create_client(tenant.account_id, "App", [uri])
    with pytest.raises(InvalidInput):
        clients.create_client(tenant.account_id, " ", [REDIRECT])
    with pytest.raises(NotFound):
        clients.create_client("01NOSUCHACCOUNT", "App", [REDIRECT])
    made = clients.create_client(tenant.account_id, "App", ["http://127.0.0.1:8765/cb", REDIRECT])
    listed = clients.list_clients(tenant.account_id)
    assert [c["client_id"] for c in listed] == [made["client_id"]]
    assert listed[0]["redirect_uris"] == ["http://127.0.0.1:8765/cb", REDIRECT]
    assert made["client_secret"] not in str(listed) and "secret_hash" not in listed[0]


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


def test_bodies_that_are_not_utf8_or_not_forms_get_oauth_errors_not_5xx(client):
    from ringbridge.local import lambdas

    for path in ("/oauth/token", "/oauth/revoke", "/oauth/authorize"):
        function, route = lambdas.route("POST", path)
        for content_type, body in (
            ("application/octet-stream", b"\xff\xfe\x00grant_type=\xff"),
            ("application/json", b'{"grant_type": "authorization_code"}'),
            ("application/x-www-form-urlencoded", b"%%%&&&==="),
        ):
            event = lambdas.http_event(
                "POST",
                path,
                headers={"content-type": content_type, "host": "a.example.com"},
                body=body,
                route_path=route.path,
            )
            answer = lambdas.invoke(function, event)
            assert 400 <= answer["statusCode"] < 500, (path, content_type, answer)


def test_round_trips_of_the_consent_page_the_exchange_and_a_refresh(tenant, client, no_scan):
    query = authorize_query(client["client_id"])
    del no_scan[:]
    assert send("GET", "/oauth/authorize", query=query).status == 200
    assert no_scan == ["GetItem", "GetItem"]  # the client, the account
    code = approve(client, tenant.rw_token)["code"]
    del no_scan[:]
    issued = exchange(client, code).json()
    assert no_scan == ["GetItem", "GetItem", "UpdateItem", "TransactWriteItems"]  # client, code, spend, tokens
    del no_scan[:]
    assert refresh(client, issued["refresh_token"]).status == 200
    assert no_scan == ["GetItem", "BatchGetItem", "UpdateItem", "TransactWriteItems"]


def test_an_odd_host_header_changes_nothing(tenant, client):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query, headers={"host": "evil.example.net?<x>#"})
    assert page.status == 200 and "evil" not in page.body


def test_another_accounts_client_can_use_none_of_this_accounts_codes_or_tokens(tenant, other_tenant, client):
    foreign = register(other_tenant.account_id, name="Their app")
    code = approve(client, tenant.rw_token)["code"]
    assert exchange(foreign, code).json()["error"] == "invalid_grant"
    issued = exchange(client, code).json()
    assert refresh(foreign, issued["refresh_token"]).json()["error"] == "invalid_grant"
    assert send_revoke(foreign, issued["access_token"]).status == 200
    assert find(issued["access_token"]).status == 200  # untouched
    # Nor can its administrator approve for this account's client
    refused = decide(authorize_query(client["client_id"]), "approve", other_tenant.rw_token)
    assert refused.status == 403 and "another account" in refused.body
