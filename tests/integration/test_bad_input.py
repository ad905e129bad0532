"""A client's mistake is a 4xx with the Error body, never a 5xx, and writes nothing (issue 8).

Every JSON route gets the same set of bad bodies; the defects the fuzzer and a hand-made set
found each have their own test below.
"""

import base64
import json
import re
import uuid
from typing import Any

import pytest

from ringbridge.dal import activities as activities_dal
from ringbridge_tools.local import lambdas
from tests.support.activities import contact, new_call_id, start
from tests.support.api import call, lambda_answer
from tests.support.dynamodb import account_items


@pytest.fixture(scope="module")
def json_routes() -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document that takes a JSON body, path ids filled with one that need
    not exist (the body is refused first): a new JSON route is in this test as soon as it is in the template."""
    from ringbridge_tools.local import openapi

    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1729693708182-abc", path))
        for path, operations in openapi.document()["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


JSON = {"content-type": "application/json"}
# (body, headers, expected status): each a way a client (or an attacker) gets the body wrong.
BAD_BODIES: dict[str, tuple[bytes | str, dict[str, str], int]] = {
    "deep nesting": ("[" * 100_000 + "]" * 100_000, JSON, 400),
    "nesting past the limit": ('{"a":' * 40 + "1" + "}" * 40, JSON, 400),
    "a 5,000-digit number": ('{"version": ' + "9" * 5000 + "}", JSON, 400),
    "not UTF-8": (b"\x00\xfa\xfb", JSON, 400),
    "a lone surrogate": ('{"comment": "\\ud800"}', JSON, 400),
    "a NUL byte": (b'{"subject": "a\x00b"}', JSON, 400),
    "a 1 MB string": (json.dumps({"comment": "x" * (1024 * 1024)}), JSON, 413),
    "wrong types": ('{"call_id": 5, "direction": [], "contact": 1, "note": "x", "method": {}}', JSON, 422),
    "not an object": ("[1, 2, 3]", JSON, 422),
    "text/plain": ('{"subject": "x"}', {"content-type": "text/plain"}, 415),
    "application/xml": ("<a/>", {"content-type": "application/xml"}, 415),
    "multipart without a boundary": ('{"method":"x"}', {"content-type": "multipart/form-data"}, 415),
    "a form": ("method=x", {"content-type": "application/x-www-form-urlencoded"}, 415),
}


def raw_call(method: str, path: str, token: str | None, body: bytes | str, headers: dict[str, str]) -> Any:
    answer = call(method, path, token, body=body, headers=headers)
    assert isinstance(answer.body, dict) and set(answer.body["error"]) >= {"code", "message", "field"}, answer.body
    return answer


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_every_json_route_refuses_bad_bodies_with_the_error_body_and_writes_nothing(tenant, json_routes, name):
    assert len(json_routes) >= 11
    body, headers, status = BAD_BODIES[name]
    before = account_items(tenant.account_id)
    for method, path in json_routes:
        answer = raw_call(method, path, tenant.rw_token, body, headers)
        assert answer.status == status, (method, path, answer.body)
        if status in (400, 415):
            assert answer.body["error"]["field"] in ("body", "Content-Type"), answer.body
    assert account_items(tenant.account_id) == before


@pytest.mark.parametrize("name", ["deep nesting", "a 5,000-digit number", "not UTF-8", "multipart without a boundary"])
def test_the_webhook_refuses_bad_bodies_without_a_token(name):
    body, headers, status = BAD_BODIES[name]
    assert raw_call("POST", "/ringotel/webhook", None, body, headers).status == status


def test_base64_encoded_bodies_that_are_not_utf8_are_400():
    # API Gateway base64-encodes a body that is not text; the decoded bytes are still checked.
    found = lambdas.route("POST", "/ringotel/webhook")
    assert found
    event = lambdas.http_event("POST", "/ringotel/webhook", headers=JSON, route_path=found[1].path)
    event.update(body=base64.b64encode(b"\xff\xfe{}").decode(), isBase64Encoded=True)
    answer = lambdas.invoke(found[0], event)
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["error"]["field"] == "body"


# --- defect 1: a stop that arrives before its start -----------------------------------------


def test_every_route_answers_an_activity_whose_stop_came_first(tenant):
    call_id = new_call_id()
    stop = f"/ringotel/activities/{call_id}/stop"
    first = call("POST", stop, tenant.rw_token, json_body={})
    assert first.status == 200 and first.body["direction"] is None
    # A repeated stop changes nothing
    again = call("POST", stop, tenant.rw_token, json_body={})
    assert again.status == 200 and again.body == first.body
    # Every other route answers it properly
    recording = call("GET", f"/ringotel/activities/{call_id}/recording", tenant.rw_token)
    assert recording.status == 404 and recording.body["error"]["field"] == "recording"
    updated = call("PUT", f"/ringotel/activities/{call_id}", tenant.rw_token, json_body={"subject": "Callback"})
    assert updated.status == 200 and updated.body["subject"] == "Callback"
    ivan = contact(tenant)
    assigned = call(
        "PUT", f"/ringotel/activities/{call_id}/contact", tenant.rw_token, json_body={"contact_id": ivan["id"]}
    )
    assert assigned.status == 200 and assigned.body["contact_id"] == ivan["id"]
    uploaded = call(
        "PUT",
        f"/ringotel/activities/{call_id}/recording",
        tenant.rw_token,
        body=b"RIFF\x00\x00\x00\x00WAVEfmt ",
        headers={"content-type": "audio/wav"},
    )
    assert uploaded.status == 200 and uploaded.body["recording"]["content_type"] == "audio/wav"
    webhook_stop = call(
        "POST",
        "/ringotel/webhook",
        json_body={"method": "StopCallActivity", "api_token": tenant.rw_token, "params": {"call_id": call_id}},
    )
    assert webhook_stop.status == 200 and webhook_stop.body["id"] == first.body["id"]
    # And the start still completes the same activity
    started = start(tenant, call_id)
    assert started["id"] == first.body["id"] and started["direction"] == "inbound"


@pytest.mark.parametrize("activity_id", ["..", ".", ".hidden", "a b"])
def test_a_path_id_follows_the_call_id_rules_and_creates_nothing(tenant, activity_id):
    before = account_items(tenant.account_id)
    answer = call("POST", f"/ringotel/activities/{activity_id}/stop", tenant.rw_token, json_body={})
    assert answer.status == 422 and answer.body["error"]["field"] == "activity_id", answer.body
    assert account_items(tenant.account_id) == before
    # The same rule refuses such a call_id in a body
    body = {"call_id": activity_id, "direction": "inbound"}
    if activity_id.strip() == activity_id:  # a body's call_id is stripped first
        assert call("POST", "/ringotel/activities", tenant.rw_token, json_body=body).status == 422


# --- defect 6: times at the year limits ---------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_times_past_the_calendar_in_utc_are_422(tenant, moment):
    started = call(
        "POST",
        "/ringotel/activities",
        tenant.rw_token,
        json_body={"call_id": new_call_id(), "direction": "inbound", "started_at": moment},
    )
    assert started.status == 422 and started.body["error"]["field"] == "started_at", started.body
    stopped = call(
        "POST", f"/ringotel/activities/{new_call_id()}/stop", tenant.rw_token, json_body={"ended_at": moment}
    )
    assert stopped.status == 422 and stopped.body["error"]["field"] == "ended_at", stopped.body
    hook = call(
        "POST",
        "/ringotel/webhook",
        json_body={
            "method": "StartCallActivity",
            "api_token": tenant.rw_token,
            "params": {"call_id": new_call_id(), "activity_type": "inbound", "call_start": moment},
        },
    )
    assert hook.status == 422 and hook.body["error"]["field"] == "params.call_start", hook.body


# --- defect 7: If-Match with digits that are not ASCII ------------------------------------------


@pytest.mark.parametrize("if_match", ['"²"', '"٣"', 'W/"1\u0663"'])
def test_an_if_match_with_non_ascii_digits_is_422(tenant, if_match):
    created = call("POST", "/ringio/contacts", tenant.rw_token, json_body={"contact": {"name": "Ivan"}})
    contact_id = created.body["contact"]["id"]
    note = call("POST", "/ringio/notes", tenant.rw_token, json_body={"note": {"contact_id": contact_id, "body": "x"}})
    for path, body in [
        (f"/ringotel/contacts/{contact_id}", {"first_name": "Taras"}),
        (f"/ringio/contacts/{contact_id}", {"contact": {"name": "Taras"}}),
        (f"/ringio/notes/{note.body['note']['id']}", {"note": {"body": "y"}}),
    ]:
        answer = call("PUT", path, tenant.rw_token, json_body=body, headers={"if-match": if_match})
        assert answer.status == 422 and answer.body["error"]["field"].lower() == "if-match", (path, answer.body)


# --- defects 9 and the 405: our Error body, never the framework's ----------------------------------


def test_an_unsupported_method_on_a_function_url_is_405_with_allow(tenant):
    answer = lambda_answer("PATCH", "/ringio/contacts/01ABC", function_url=True, served_by="GET")
    assert answer["statusCode"] == 405 and answer["headers"]["Allow"] == "DELETE, GET, PUT"
    assert json.loads(answer["body"])["error"]["code"] == "method_not_allowed"


# --- defect 10: key sizes DynamoDB would refuse -------------------------------------------------


def test_a_token_naming_an_oversized_account_is_403_without_a_dynamodb_call(tenant, no_scan):
    token = f"rbk_{'A' * 3000}_{uuid.uuid4().hex}_secret"
    calls_before = len(no_scan)
    answer = call("GET", "/ringotel/users", token)
    assert answer.status == 403 and answer.body["error"]["code"] == "forbidden"
    assert no_scan[calls_before:] == []


@pytest.mark.parametrize("path", ["/ringotel/contacts", "/ringio/contacts", "/ringio/notes", "/ringio/rings"])
def test_a_page_cursor_whose_key_is_oversized_is_422(tenant, path):
    cursor = base64.urlsafe_b64encode(json.dumps({"after": "CONTACT#" + "x" * 700}).encode()).decode().rstrip("=")
    assert len(cursor) <= 1024
    answer = call("GET", path, tenant.ro_token, query={"cursor": cursor})
    assert answer.status == 422 and answer.body["error"]["field"] == "cursor", answer.body


def test_a_webhook_call_duration_beyond_a_week_is_422_not_a_server_error(tenant):
    call_id = new_call_id()
    answer = call(
        "POST",
        "/ringotel/webhook",
        json_body={
            "method": "StopCallActivity",
            "api_token": tenant.rw_token,
            "params": {"call_id": call_id, "call_duration": 10**30},
        },
    )
    assert answer.status == 422 and answer.body["error"]["field"] == "params.call_duration", answer.body
    assert activities_dal.get_by_call(tenant.account_id, call_id) is None
