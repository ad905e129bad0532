"""The token and revocation endpoints' refusals, and the atomicity of spending a code or refresh token.

A code or refresh token is spent in the one DynamoDB transaction that writes what it gives: a failed
write spends nothing, and a second use, however it interleaves with the first, leaves no token working.
"""

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from botocore.exceptions import ClientError, ReadTimeoutError

from ringbridge.oauth import endpoints
from ringbridge.oauth.server import REFRESH_TOKEN_SECONDS
from ringbridge_tools.local import lambdas
from tests.integration.oauth_flow import (  # noqa: F401 - fixtures
    REDIRECT,
    approve,
    basic,
    client_fixture,
    exchange,
    find,
    later_fixture,
    refresh,
    register,
    send,
    send_revoke,
    tenant_fixture,
    token_request,
    tokens,
)
from tests.support.api import call, lambda_answer
from tests.support.dynamodb import account_items, dynamodb_hook

FORM = "application/x-www-form-urlencoded"


def raw_request(path: str, content_type: str, body: bytes, headers: dict[str, str], method: str = "POST") -> dict:
    """``body`` as it is, to the function that serves ``POST path`` (whatever the method): its raw answer."""
    return lambda_answer(
        method,
        path,
        headers={"content-type": content_type, "host": "api.example.com", **headers},
        body=body,
        served_by="POST",
    )


def token_request_beside(client: dict[str, str], form: dict[str, str]) -> tuple[int, dict]:
    """The token endpoint called directly, as a second Lambda instance would serve a request at the same
    time (this process's instance of the function is busy with the first request)."""
    event = lambdas.http_event(
        "POST",
        "/oauth/token",
        headers={"content-type": FORM, **basic(client)},
        body=urlencode(form),
        route_path="/oauth/token",
    )
    answer = endpoints.token(APIGatewayProxyEventV2(event))
    return answer.status_code, json.loads(answer.body or "{}")


def failing(error: Exception):
    """A botocore handler that makes the call fail with ``error`` (after botocore's own retries)."""

    def fail(**_):
        raise error

    return fail


THROTTLED = ClientError(
    {"Error": {"Code": "ThrottlingException", "Message": "Rate of requests exceeds the allowed throughput."}},
    "TransactWriteItems",
)
TIMED_OUT = ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")


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


def test_each_answer_names_its_headers_once_and_a_401_challenges_with_basic_only(tenant, client):
    def headers_of(answer: dict) -> list[tuple[str, str]]:
        return sorted((name.lower(), value) for name, value in answer["headers"].items())

    code = approve(client, tenant.rw_token)["code"]
    form = f"grant_type=authorization_code&code={code}&redirect_uri={REDIRECT}".encode()
    wrong = {**client, "client_secret": client["client_secret"] + "x"}
    refused = raw_request("/oauth/token", FORM, form, basic(wrong))
    issued = raw_request("/oauth/token", FORM, form, basic(client))

    # oauthlib would challenge with Bearer; the client authenticates with HTTP Basic (RFC 6749 §5.2)
    assert refused["statusCode"] == 401
    assert headers_of(refused) == [
        ("cache-control", "no-store"),
        ("content-type", "application/json"),
        ("pragma", "no-cache"),
        ("www-authenticate", 'Basic realm="ringbridge"'),
    ]
    assert issued["statusCode"] == 200
    assert headers_of(issued) == [
        ("cache-control", "no-store"),
        ("content-type", "application/json"),
        ("pragma", "no-cache"),
    ]


def test_unsupported_grant_types(client):
    for grant in ("password", "client_credentials", "implicit"):
        answer = token_request(client, {"grant_type": grant, "username": "a", "password": "b"})
        assert answer.status == 400 and answer.json()["error"] == "unsupported_grant_type", grant


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


def test_a_leaked_code_ends_what_it_gave_even_when_the_replay_names_another_redirect_uri(tenant):
    other = "https://ringotel.example.com/second"
    client = register(tenant.account_id, REDIRECT, other)
    code = approve(client, tenant.rw_token)["code"]
    issued = exchange(client, code).json()

    # When the same code comes again, with a redirect URI of the client that is not the code's
    again = exchange(client, code, redirect_uri=other)

    # Then the code itself is what is refused, before the redirect URI, and the tokens of its first use stop working
    assert (again.status, again.json()["error"]) == (400, "invalid_grant")
    assert find(issued["access_token"]).status == 403


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


def test_a_leaked_refresh_token_ends_its_grant_even_when_the_replay_asks_for_more(tenant):
    # Given a read-only grant whose refresh token was used once (rotated), and a grant that was revoked
    reader = register(tenant.account_id, name="Reader")
    first = exchange(reader, approve(reader, tenant.rw_token, scope="ro")["code"]).json()
    second = refresh(reader, first["refresh_token"]).json()
    revoked = exchange(reader, approve(reader, tenant.rw_token, scope="ro")["code"]).json()
    assert send_revoke(reader, revoked["access_token"]).status == 200

    # When each comes back asking for rw as well, which the grant could never give
    replayed = refresh(reader, first["refresh_token"], scope="rw")
    after_revocation = refresh(reader, revoked["refresh_token"], scope="rw")

    # Then the token itself is what is refused, before the scope: the replay ends the grant it leaked from
    assert (replayed.status, replayed.json()["error"]) == (400, "invalid_grant")
    assert (after_revocation.status, after_revocation.json()["error"]) == (400, "invalid_grant")
    assert refresh(reader, second["refresh_token"]).json()["error"] == "invalid_grant"
    assert find(second["access_token"]).status == 403


def test_a_refresh_may_narrow_rw_to_ro_but_not_widen(tenant, client):
    first = tokens(client, tenant.rw_token)
    narrowed = refresh(client, first["refresh_token"], scope="ro").json()
    assert narrowed["scope"] == "ro"
    assert call("POST", "/ringotel/contacts", narrowed["access_token"], json_body={"first_name": "X"}).status == 403
    ro_client = register(tenant.account_id, name="Reader")
    ro = exchange(ro_client, approve(ro_client, tenant.rw_token, scope="ro")["code"]).json()
    widened = refresh(ro_client, ro["refresh_token"], scope="rw")
    assert widened.status == 400 and widened.json()["error"] == "invalid_scope"


def test_a_refresh_reads_each_item_it_needs_once(tenant, client):
    # What a refresh costs: the client (its authentication), the refresh token and its grant, each read once
    first = tokens(client, tenant.rw_token)
    read: list[str] = []

    def record(params, **_):
        keys = (
            [params["Key"]] if "Key" in params else [k for ask in params["RequestItems"].values() for k in ask["Keys"]]
        )
        read.extend(key["SK"]["S"].split("#", 1)[0] for key in keys)

    with (
        dynamodb_hook("provide-client-params.dynamodb.GetItem", record),
        dynamodb_hook("provide-client-params.dynamodb.BatchGetItem", record),
    ):
        assert refresh(client, first["refresh_token"]).status == 200
    assert sorted(read) == ["OAUTHCLIENT", "OAUTHGRANT", "OAUTHTOKEN"]


def test_a_refresh_token_is_bound_to_its_client(tenant, client):
    thief = register(tenant.account_id, name="Other app")
    first = tokens(client, tenant.rw_token)
    assert refresh(thief, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert refresh(client, first["refresh_token"]).status == 200


def test_a_refresh_token_works_until_the_second_it_expires(tenant, client, later):
    # Two grants approved at the same moment: one refreshed the second before its refresh token expires,
    # the other at that second
    kept, expired = tokens(client, tenant.rw_token), tokens(client, tenant.rw_token)
    later(REFRESH_TOKEN_SECONDS - 1)
    assert refresh(client, kept["refresh_token"]).status == 200
    later(REFRESH_TOKEN_SECONDS)
    refused = refresh(client, expired["refresh_token"])
    assert (refused.status, refused.json()["error"]) == (400, "invalid_grant")


def test_a_tampered_refresh_token_is_refused_and_the_real_one_keeps_working(tenant, client):
    issued = tokens(client, tenant.rw_token)
    real = issued["refresh_token"]
    tampered = real[:-2] + ("AA" if not real.endswith("AA") else "BB")
    refused = refresh(client, tampered)
    assert (refused.status, refused.json()["error"]) == (400, "invalid_grant")
    assert find(issued["access_token"]).status == 200
    assert refresh(client, real).status == 200


def test_an_access_token_is_not_a_refresh_token(tenant, client):
    first = tokens(client, tenant.rw_token)
    assert refresh(client, first["access_token"]).json()["error"] == "invalid_grant"


def test_bodies_that_are_not_utf8_or_not_forms_get_oauth_errors_not_5xx(client):
    for path in ("/oauth/token", "/oauth/revoke", "/oauth/authorize"):
        for content_type, body in (
            ("application/octet-stream", b"\xff\xfe\x00grant_type=\xff"),
            ("application/json", b'{"grant_type": "authorization_code"}'),
            ("application/x-www-form-urlencoded", b"%%%&&&==="),
        ):
            answer = lambda_answer(
                "POST", path, headers={"content-type": content_type, "host": "a.example.com"}, body=body
            )
            assert 400 <= answer["statusCode"] < 500, (path, content_type, answer)


# --- client authentication and unreadable requests ---------------------------------------------------


def test_the_redirect_uri_is_required_when_the_authorization_request_named_it(tenant, client):
    code = approve(client, tenant.rw_token)["code"]  # the request named redirect_uri (the only registered one)
    missing = token_request(client, {"grant_type": "authorization_code", "code": code})
    assert missing.status == 400
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "Missing redirect_uri: the authorization request named one (RFC 6749 §4.1.3).",
    }
    # The refusal spent nothing: the complete request works
    assert exchange(client, code).status == 200


def test_two_client_authentication_methods_in_one_request_are_invalid_request(tenant, client):
    code = approve(client, tenant.rw_token)["code"]
    in_body = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    both = send("POST", "/oauth/token", form={**form, **in_body}, headers=basic(client))
    assert both.status == 400, both.body
    assert both.json() == {
        "error": "invalid_request",
        "error_description": "Client authentication by HTTP Basic and in the body at once: use one of them.",
    }
    issued = exchange(client, code).json()  # one method: works, and the refusal spent nothing
    both = send("POST", "/oauth/revoke", form={"token": issued["access_token"], **in_body}, headers=basic(client))
    assert (both.status, both.json()["error"]) == (400, "invalid_request"), both.body
    assert find(issued["access_token"]).status == 200


@pytest.mark.parametrize("scheme", ["basic ", "BASIC ", "Basic  "], ids=["lower", "upper", "two-spaces"])
def test_http_basic_is_read_as_rfc_7235_writes_it(tenant, client, scheme):
    # The scheme's name in any case, one or more spaces before the credentials (RFC 7235 §2.1)
    code = approve(client, tenant.rw_token)["code"]
    [credentials] = basic(client).values()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    answer = send("POST", "/oauth/token", form=form, headers={"authorization": scheme + credentials.split(" ")[1]})
    assert answer.status == 200, answer.body


def test_http_basic_credentials_that_are_not_base64_are_refused_not_guessed_at(tenant, client):
    # The right id and secret, with a character base64 does not have inside: no reading past it
    code = approve(client, tenant.rw_token)["code"]
    [credentials] = basic(client).values()
    encoded = credentials.split(" ")[1]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    answer = send("POST", "/oauth/token", form=form, headers={"authorization": f"Basic {encoded[:8]}!{encoded[8:]}"})
    assert (answer.status, answer.json()["error"]) == (401, "invalid_client"), answer.body
    assert exchange(client, code).status == 200  # the refusal spent nothing


def test_an_http_basic_value_without_a_colon_is_no_credentials_and_the_bodys_are_used(tenant, client):
    code = approve(client, tenant.rw_token)["code"]
    in_body = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **in_body}
    no_pair = "Basic " + base64.b64encode(client["client_id"].encode()).decode()
    answer = send("POST", "/oauth/token", form=form, headers={"authorization": no_pair})
    assert answer.status == 200, answer.body


def test_a_token_request_without_grant_type_is_invalid_request(client):
    for form in ({}, {"code": "x", "redirect_uri": REDIRECT}, {"grant_type": ""}):
        answer = token_request(client, form)
        assert answer.status == 400, form
        assert answer.json() == {"error": "invalid_request", "error_description": "Missing grant_type parameter."}


@pytest.mark.parametrize(
    ("content_type", "body", "description"),
    [
        (
            "application/json",
            b'{"grant_type": "authorization_code", "code": "x"}',
            f"The body must be {FORM}, not application/json.",
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nx\r\n--b--',
            f"The body must be {FORM}, not multipart/form-data.",
        ),
        (FORM, b"grant_type=authorization_code&code=\xff\xfe", "The body is not UTF-8 text."),
        (FORM, b"grant_type=authorization_code&code=%zz", "The body is not URL-encoded form data."),
    ],
)
def test_an_unreadable_body_is_invalid_request(client, content_type, body, description):
    for path in ("/oauth/token", "/oauth/revoke"):
        answer = raw_request(path, content_type, body, basic(client))
        assert answer["statusCode"] == 400, (path, answer)
        assert json.loads(answer["body"]) == {"error": "invalid_request", "error_description": description}, path
        assert {k.lower(): v for k, v in answer["headers"].items()}["content-type"] == "application/json", path


@pytest.mark.parametrize(
    "content_type", [f"{FORM}; charset=UTF-8", "Application/X-WWW-Form-URLEncoded;charset=utf-8; x=y", None]
)
def test_a_form_is_read_whatever_its_media_types_parameters_and_case(client, content_type):
    # A revocation of a token never issued answers 200 (RFC 7009 §2.2) once the form is read
    headers = {"content-type": content_type} if content_type else {}
    answer = lambda_answer(
        "POST",
        "/oauth/revoke",
        headers={"host": "api.example.com", **headers, **basic(client)},
        body=b"token=never-issued",
        served_by="POST",
    )
    assert answer["statusCode"] == 200, answer


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/oauth/authorize"])
def test_405_and_413_answer_in_oauths_error_shape(path):
    # Through the HTTP API (its $default route answers a method no route has) and the function URL
    function_url = lambda_answer("PUT", path, function_url=True, served_by="POST")
    through_api = send("PUT", path)
    too_large = raw_request(path, FORM, b"token=" + b"x" * (1024 * 1024), {})
    for status, body in (
        (function_url["statusCode"], json.loads(function_url["body"])),
        (through_api.status, through_api.json()),
        (too_large["statusCode"], json.loads(too_large["body"])),
    ):
        assert status in (405, 413)
        assert body["error"] == "invalid_request" and body["error_description"], body
        assert set(body) == {"error", "error_description"}
    assert (function_url["statusCode"], through_api.status, too_large["statusCode"]) == (405, 405, 413)
    assert "POST" in through_api.headers["allow"]


# --- refresh rotation is atomic ------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["rw rw", "ro ro", "ro rw", "admin", "ro admin", " "])
def test_a_repeated_or_unknown_scope_is_invalid_scope_and_spends_nothing(tenant, client, scope):
    issued = tokens(client, tenant.rw_token)
    answer = refresh(client, issued["refresh_token"], scope=scope)
    assert answer.status == 400, answer.body
    assert answer.json() == {"error": "invalid_scope", "error_description": "scope must be one of: ro, rw."}
    # Not a reuse: the same refresh token still works, and so does the grant's access token
    assert find(issued["access_token"]).status == 200
    assert refresh(client, issued["refresh_token"]).status == 200


@pytest.mark.parametrize("error", [THROTTLED, TIMED_OUT], ids=["throttled", "timed out"])
def test_a_refresh_whose_write_fails_leaves_the_old_refresh_token_usable(tenant, client, error):
    issued = tokens(client, tenant.rw_token)
    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", failing(error)):
        answer = refresh(client, issued["refresh_token"])
    assert (answer.status, answer.json()["error"]) == (503, "temporarily_unavailable")
    assert answer.headers["retry-after"] == "1"
    # The client's retry is a first use, not a reuse: it works and the grant lives on
    again = refresh(client, issued["refresh_token"])
    assert again.status == 200, again.body
    assert find(again.json()["access_token"]).status == 200


def test_a_code_whose_write_fails_can_be_exchanged_again(tenant, client):
    code = approve(client, tenant.rw_token)["code"]
    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", failing(THROTTLED)):
        assert exchange(client, code).status == 503
    issued = exchange(client, code)
    assert issued.status == 200 and find(issued.json()["access_token"]).status == 200


# --- a second use that interleaves with the first ----------------------------------------------------------


@contextmanager
def sent_again_while_writing(client: dict[str, str], form: dict[str, str]) -> Iterator[list[tuple[int, dict]]]:
    """Within the block, the first request's token write is preceded by the same request (the leaked code or
    refresh token) arriving at another instance and being served in full: its answer is in the list."""
    second: list[tuple[int, dict]] = []

    def second_use_now(**_):
        if not second:  # once: the second use's own write goes through
            second.append((0, {}))
            second[0] = token_request_beside(client, form)

    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", second_use_now):
        yield second


def test_a_code_reused_while_its_first_exchange_is_writing_leaves_no_token_working(tenant, client):
    code = approve(client, tenant.rw_token)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    with sent_again_while_writing(client, form) as second:
        first = exchange(client, code)

    # The second use got tokens first; the first found the code spent, and so revoked the grant
    assert (first.status, first.json()["error"]) == (400, "invalid_grant"), first.body
    status, issued = second[0]
    assert status == 200
    assert find(issued["access_token"]).status == 403
    assert refresh(client, issued["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_refresh_token_reused_while_its_first_refresh_is_writing_leaves_no_token_working(tenant, client):
    issued = tokens(client, tenant.rw_token)
    form = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    with sent_again_while_writing(client, form) as second:
        first = refresh(client, issued["refresh_token"])

    assert (first.status, first.json()["error"]) == (400, "invalid_grant"), first.body
    status, renewed = second[0]
    assert status == 200
    for access in (issued["access_token"], renewed["access_token"]):
        assert find(access).status == 403
    assert refresh(client, renewed["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_refresh_whose_grant_is_revoked_while_it_is_writing_is_invalid_grant_and_issues_nothing(tenant, client):
    issued = tokens(client, tenant.rw_token)
    tokens_before = token_keys(tenant.account_id)
    revoked: list[int] = []

    def revoke_now(**_):
        if not revoked:  # the grant ends between the refresh's reads and its write
            revoked.append(send_revoke(client, issued["access_token"]).status)

    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", revoke_now):
        refused = refresh(client, issued["refresh_token"])

    assert revoked == [200]
    assert (refused.status, refused.json()["error"]) == (400, "invalid_grant"), refused.body
    assert token_keys(tenant.account_id) == tokens_before
    assert refresh(client, issued["refresh_token"]).json()["error"] == "invalid_grant"


def token_keys(account_id: str) -> list[str]:
    return sorted(item["SK"]["S"] for item in account_items(account_id, "OAUTHTOKEN#"))
