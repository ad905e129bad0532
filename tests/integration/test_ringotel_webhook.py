"""Ringotel's webhook mode, in-process against the emulator."""

import uuid

import pytest

from ringbridge.dal import activities as activities_dal
from tests.support.api import call


def params(**fields):
    return {
        "connection_name": "Main",
        "extension": "101",
        "user_id": "rt-user-77",
        "connection_id": "c-1",
        "activity_type": "inbound",
        "domain": "acme.ringotel.co",
        "call_start": 1729693708182,
        "called_number": "380441234567",
        "caller_number": "380441111111",
        "call_id": f"1729693708182-{uuid.uuid4().hex[:18]}",
        **fields,
    }


def post(method, token, call_params, **extra):
    return call(
        "POST",
        "/ringotel/webhook",
        None,
        json_body={"method": method, "api_token": token, "params": call_params, **extra},
    )


@pytest.fixture
def ivan(tenant):
    body = {"first_name": "Ivan", "phones": [{"number": "044 111 11 11"}]}
    return call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body).body


def test_start_then_stop_drives_one_activity(tenant, ivan):
    # Given a call starting, reported with the token in the body and Ringotel's number format
    start = params()
    started = post("StartCallActivity", tenant.rw_token, start)
    assert started.status == 200, started.body
    # Then the activity is matched to the caller's contact and to the user of extension 101
    assert started.body["call_id"] == start["call_id"] and started.body["status"] == "active"
    assert started.body["contact_id"] == ivan["id"] and started.body["user_id"] == tenant.user_id
    assert started.body["started_at"] == "2024-10-23T14:28:28.182Z"
    # When it stops
    stopped = post(
        "StopCallActivity",
        tenant.rw_token,
        {**start, "call_end": 1729693750182, "call_duration": 42, "call_cause": "0"},
    )
    # Then the same activity is completed
    assert stopped.status == 200, stopped.body
    assert stopped.body["id"] == started.body["id"] and stopped.body["status"] == "completed"
    assert stopped.body["ended_at"] == "2024-10-23T14:29:10.182Z" and stopped.body["duration_seconds"] == 42
    # And the hooks find it by the same call id
    by_call = call("PUT", f"/ringotel/activities/{start['call_id']}", tenant.rw_token, json_body={"subject": "x"})
    assert by_call.status == 200 and by_call.body["id"] == started.body["id"]


def test_a_stop_that_comes_first_is_completed_from_its_own_params(tenant, ivan):
    stop = {**params(), "call_end": 1729693750182, "call_duration": 42, "call_cause": "0"}
    stopped = post("StopCallActivity", tenant.rw_token, stop)
    assert stopped.status == 200, stopped.body
    # The stop carries the start's params, so the activity is whole at once
    assert stopped.body["status"] == "completed" and stopped.body["direction"] == "inbound"
    assert stopped.body["contact_id"] == ivan["id"] and stopped.body["duration_seconds"] == 42
    # And the late start changes nothing
    started = post("StartCallActivity", tenant.rw_token, params(call_id=stop["call_id"]))
    assert started.status == 200 and started.body == stopped.body


def test_the_authorization_header_works_too(tenant):
    answer = call(
        "POST", "/ringotel/webhook", tenant.rw_token, json_body={"method": "StartCallActivity", "params": params()}
    )
    assert answer.status == 200, answer.body


def test_an_unknown_user_does_not_lose_the_call(tenant):
    answer = post("StartCallActivity", tenant.rw_token, params(user_id="nobody", extension="999"))
    assert answer.status == 200 and answer.body["user_id"] is None


@pytest.mark.parametrize("token", [None, "rbk_nope_nope_nope", "garbage"])
def test_a_missing_or_bad_token_is_403_and_nothing_is_written(tenant, token):
    start = params()
    answer = post("StartCallActivity", token, start)
    assert answer.status == 403, answer.body
    assert activities_dal.get_by_call(tenant.account_id, start["call_id"]) is None


def test_a_read_only_token_is_403(tenant):
    assert post("StartCallActivity", tenant.ro_token, params()).status == 403


def test_an_unknown_method_is_400_naming_it(tenant):
    answer = post("TransferCall", tenant.rw_token, params())
    assert answer.status == 400
    assert answer.body["error"]["field"] == "method" and "TransferCall" in answer.body["error"]["message"]


@pytest.mark.parametrize(
    ("call_params", "field"),
    [
        ({"call_id": "c-2"}, "params.activity_type"),
        (params(call_id=None), "params.call_id"),
        (params(activity_type="x" * 65), "params.activity_type"),
        (params(call_start="soon"), "params.call_start"),
    ],
)
def test_bad_params_are_422_naming_the_field(tenant, call_params, field):
    answer = post("StartCallActivity", tenant.rw_token, call_params)
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == field


def test_a_body_that_is_not_json_is_400():
    answer = call("POST", "/ringotel/webhook", None, body="method=StartCallActivity")
    assert answer.status == 400


@pytest.mark.parametrize(("sent", "direction"), [("Incoming", "inbound"), ("OUT", "outbound"), ("park", "unknown")])
def test_the_webhooks_activity_type_is_read_like_a_hooks_direction(tenant, sent, direction):
    answer = post("StartCallActivity", tenant.rw_token, params(call_id=f"c-{uuid.uuid4().hex}", activity_type=sent))
    assert answer.status == 200, answer.body
    assert answer.body["direction"] == direction
    assert answer.body["direction_given"] == (sent if direction == "unknown" else None)
