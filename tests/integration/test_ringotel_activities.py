"""The Ringotel activity hooks (create, assign, update, stop), in-process against the emulator."""

import threading

import pytest

from ringbridge.dal import activities as activities_dal
from tests.support.activities import contact, new_call_id, start
from tests.support.api import call

FIELDS = {
    "id",
    "call_id",
    "direction",
    "status",
    "caller_number",
    "called_number",
    "user_id",
    "contact_id",
    "subject",
    "comment",
    "started_at",
    "ended_at",
    "duration_seconds",
    "recording",
    "version",
}


# --- CreateActivity ------------------------------------------------------------------------


def test_an_inbound_call_is_matched_to_the_callers_contact(tenant, no_scan):
    # Given a contact with a Kyiv number
    ivan = contact(tenant)
    # When Ringotel reports an inbound call from that number, without "+" and with an extension as user
    del no_scan[:]
    activity = start(tenant, user_id="101")
    # Then the activity is assigned to the contact and to the user of extension 101
    assert activity.keys() >= FIELDS
    assert activity["contact_id"] == ivan["id"]
    assert activity["user_id"] == tenant.user_id
    assert activity["status"] == "active" and activity["direction"] == "inbound"
    assert activity["started_at"] == "2024-10-23T14:28:28.182Z"
    assert activity["recording"] is None and activity["version"] == 1
    # And it took at most three DynamoDB round trips (users, phone match, one transaction)
    assert len(no_scan) <= 3, no_scan


def test_an_outbound_call_is_matched_to_the_called_party(tenant):
    ivan = contact(tenant, number="0501234567")
    activity = start(tenant, direction="outbound", caller_number="101", called_number="380501234567")
    assert activity["contact_id"] == ivan["id"]


def test_several_contacts_on_one_number_take_the_most_recently_updated(tenant):
    contact(tenant, number="+380 63 555 44 33")
    newer = contact(tenant, number="+380 63 555 44 33")
    assert start(tenant, caller_number="380635554433")["contact_id"] == newer["id"]


def test_an_unknown_or_unreadable_number_leaves_the_activity_unassigned(tenant):
    assert start(tenant, caller_number="380679999999")["contact_id"] is None
    assert start(tenant, caller_number="anonymous")["contact_id"] is None


def test_a_given_contact_id_wins_over_matching(tenant):
    contact(tenant)
    other = contact(tenant, number="0501234567")
    assert start(tenant, contact_id=other["id"])["contact_id"] == other["id"]


def test_iso_start_times_are_accepted_and_stored_in_utc(tenant):
    assert start(tenant, started_at="2024-10-23T16:28:28+02:00")["started_at"] == "2024-10-23T14:28:28.000Z"


def test_a_retry_with_the_same_call_id_answers_the_same_activity(tenant):
    call_id = new_call_id()
    first = start(tenant, call_id)
    again = start(tenant, call_id, expect=200, subject="changed?")
    assert again == first


def test_concurrent_retries_create_one_activity(tenant):
    # Given the same CreateActivity sent eight times at once
    call_id = new_call_id()
    answers: list = []

    def send():
        body = {"call_id": call_id, "direction": "inbound", "caller_number": "380441111111"}
        answers.append(call("POST", "/ringotel/activities", tenant.rw_token, json_body=body))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one created it, the others answered the same activity
    assert sorted(answer.status for answer in answers) == [200] * 7 + [201]
    assert len({answer.body["id"] for answer in answers}) == 1
    listed, _ = activities_dal.list_activities(tenant.account_id, 500, None)
    assert [item["id"] for item in listed if item["call_id"] == call_id] == [answers[0].body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"direction": "inbound"}, "call_id"),
        ({"call_id": "c1", "direction": "x" * 65}, "direction"),
        ({"call_id": "c1", "direction": "inbound", "started_at": "yesterday"}, "started_at"),
        ({"call_id": "c1", "direction": "inbound", "started_at": 1729693708}, "started_at"),
        ({"call_id": "c1", "direction": "inbound", "colour": "red"}, "colour"),
        ({"call_id": "c/1", "direction": "inbound"}, "call_id"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(tenant, body, field):
    answer = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == field


def test_malformed_json_is_a_400(tenant):
    answer = call("POST", "/ringotel/activities", tenant.rw_token, body="{not json")
    assert answer.status == 400 and answer.body["error"]["code"] == "malformed_json"


def test_an_unknown_user_or_contact_is_refused_and_nothing_is_written(tenant, other_tenant):
    call_id = new_call_id()
    foreign = contact(other_tenant, number="+1 212 555 0100")
    for fields, field in [({"user_id": "999"}, "user_id"), ({"contact_id": foreign["id"]}, "contact_id")]:
        answer = call(
            "POST",
            "/ringotel/activities",
            tenant.rw_token,
            json_body={"call_id": call_id, "direction": "inbound", **fields},
        )
        assert answer.status == 422 and answer.body["error"]["field"] == field
    assert activities_dal.get_by_call(tenant.account_id, call_id) is None


def test_tokens_are_required_and_a_read_only_token_cannot_write(tenant):
    body = {"call_id": new_call_id(), "direction": "inbound"}
    assert call("POST", "/ringotel/activities", None, json_body=body).status == 403
    assert call("POST", "/ringotel/activities", tenant.ro_token, json_body=body).status == 403


# --- AssignActivity, UpdateActivity --------------------------------------------------------


def test_assign_by_activity_id_or_call_id(tenant, no_scan):
    activity = start(tenant, caller_number="380679999999")
    ivan = contact(tenant)
    del no_scan[:]
    answer = call(
        "PUT", f"/ringotel/activities/{activity['id']}/contact", tenant.rw_token, json_body={"contact_id": ivan["id"]}
    )
    assert answer.status == 200, answer.body
    assert answer.body["contact_id"] == ivan["id"] and answer.body["version"] == 2
    assert len(no_scan) <= 2, no_scan
    other = contact(tenant, number="0501234567")
    by_call = call(
        "PUT",
        f"/ringotel/activities/{activity['call_id']}/contact",
        tenant.rw_token,
        json_body={"contact_id": other["id"]},
    )
    assert by_call.status == 200 and by_call.body["contact_id"] == other["id"] and by_call.body["version"] == 3


def test_assign_to_an_unknown_contact_is_refused(tenant):
    activity = start(tenant)
    answer = call(
        "PUT",
        f"/ringotel/activities/{activity['id']}/contact",
        tenant.rw_token,
        json_body={"contact_id": "01JUNKNOWNCONTACT000000000"},
    )
    assert answer.status == 422 and answer.body["error"]["field"] == "contact_id"


def test_update_changes_only_the_fields_sent(tenant, no_scan):
    activity = start(tenant, subject="Call")
    del no_scan[:]
    answer = call(
        "PUT",
        f"/ringotel/activities/{activity['call_id']}",
        tenant.rw_token,
        json_body={"comment": "asked for a quote", "disposition": "interested"},
    )
    assert answer.status == 200, answer.body
    assert len(no_scan) <= 2, no_scan
    assert answer.body["subject"] == "Call" and answer.body["comment"] == "asked for a quote"
    assert answer.body["disposition"] == "interested" and answer.body["version"] == 2


def test_update_with_a_stale_version_is_a_409_with_the_current_activity(tenant):
    activity = start(tenant)
    call("PUT", f"/ringotel/activities/{activity['id']}", tenant.rw_token, json_body={"subject": "first"})
    stale = call(
        "PUT", f"/ringotel/activities/{activity['id']}", tenant.rw_token, json_body={"subject": "second", "version": 1}
    )
    assert stale.status == 409 and stale.body["activity"]["subject"] == "first"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "", {"subject": "x"}),
        ("PUT", "/contact", {"contact_id": "01J0000000000000000000000A"}),
        ("POST", "/stop", {}),
        ("GET", "/recording", None),
    ],
)
def test_unknown_and_foreign_activities_are_404(tenant, other_tenant, method, suffix, body):
    # Given an activity of another account
    foreign = start(other_tenant, caller_number="12125550100")
    # (A stop names an unknown call id to record a stop that came first: see the stop tests.)
    references = ["01J0000000000000000000000Z", foreign["id"]] + ([] if suffix == "/stop" else [foreign["call_id"]])
    for reference in references:
        answer = call(method, f"/ringotel/activities/{reference}{suffix}", tenant.rw_token, json_body=body)
        assert answer.status == 404, (reference, answer.body)
    # And the other account's activity is untouched
    assert activities_dal.get_activity(other_tenant.account_id, foreign["id"])["version"] == 1


def test_update_refuses_unknown_fields(tenant):
    activity = start(tenant)
    answer = call("PUT", f"/ringotel/activities/{activity['id']}", tenant.rw_token, json_body={"status": "done"})
    assert answer.status == 422 and answer.body["error"]["field"] == "status"


# --- StopCallActivity ----------------------------------------------------------------------


def test_stop_completes_the_activity_with_end_duration_and_cause(tenant, no_scan):
    activity = start(tenant)
    del no_scan[:]
    answer = call(
        "POST",
        f"/ringotel/activities/{activity['id']}/stop",
        tenant.rw_token,
        json_body={"ended_at": 1729693750182, "cause": "0"},
    )
    assert answer.status == 200, answer.body
    assert len(no_scan) <= 2, no_scan
    assert answer.body["status"] == "completed" and answer.body["ended_at"] == "2024-10-23T14:29:10.182Z"
    assert answer.body["duration_seconds"] == 42 and answer.body["cause"] == "0"


def test_stop_on_a_completed_activity_changes_nothing(tenant):
    activity = start(tenant)
    path = f"/ringotel/activities/{activity['call_id']}/stop"
    first = call("POST", path, tenant.rw_token, json_body={"duration_seconds": 30})
    again = call("POST", path, tenant.rw_token, json_body={"duration_seconds": 99})
    assert again.status == 200 and again.body == first.body


def test_a_stop_before_its_start_is_kept_and_the_start_completes_the_same_activity(tenant):
    # Given a contact, and a stop that overtook its start
    ivan = contact(tenant)
    call_id = new_call_id()
    stopped = call(
        "POST",
        f"/ringotel/activities/{call_id}/stop",
        tenant.rw_token,
        json_body={"ended_at": 1729693750182, "cause": "0"},
    )
    assert stopped.status == 200 and stopped.body["status"] == "completed"
    # When the start arrives
    started = start(tenant, call_id)
    # Then it is the same activity, completed, with the start's fields and the stop's
    assert started["id"] == stopped.body["id"]
    assert started["status"] == "completed" and started["direction"] == "inbound"
    assert started["contact_id"] == ivan["id"] and started["duration_seconds"] == 42 and started["cause"] == "0"
    # And a retried start answers it unchanged
    assert start(tenant, call_id, expect=200) == started


def test_a_stop_naming_another_accounts_call_id_stays_in_the_callers_account(tenant, other_tenant):
    foreign = start(other_tenant, caller_number="12125550100")
    answer = call("POST", f"/ringotel/activities/{foreign['call_id']}/stop", tenant.rw_token, json_body={})
    # A stop-first placeholder of the caller's own account, not the other account's activity
    assert answer.status == 200 and answer.body["id"] != foreign["id"] and answer.body["direction"] is None
    assert activities_dal.get_activity(other_tenant.account_id, foreign["id"])["status"] == "active"


def test_a_form_encoded_body_is_refused_and_nothing_is_written(tenant):
    call_id = new_call_id()
    answer = call(
        "POST",
        "/ringotel/activities",
        tenant.rw_token,
        body=f"call_id={call_id}&direction=inbound",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status in (400, 415, 422) and answer.body["error"]["field"]
    assert activities_dal.get_by_call(tenant.account_id, call_id) is None


# --- What Ringotel sends: directions in any words, unset variables ------------------------------


@pytest.mark.parametrize(
    ("sent", "direction", "matched"),
    [
        ("inbound", "inbound", "caller"),
        ("INCOMING", "inbound", "caller"),
        (" In ", "inbound", "caller"),
        ("Outbound", "outbound", "called"),
        ("outgoing", "outbound", "called"),
        ("OUT", "outbound", "called"),
    ],
)
def test_every_common_word_for_a_direction_is_understood(tenant, sent, direction, matched):
    caller_contact = contact(tenant, "+380 44 111 11 11")
    called_contact = contact(tenant, "+380 67 222 33 44")
    activity = start(tenant, direction=sent, caller_number="380441111111", called_number="380672223344")
    assert activity["direction"] == direction and activity["direction_given"] is None
    expected = caller_contact if matched == "caller" else called_contact
    assert activity["contact_id"] == expected["id"]


@pytest.mark.parametrize("sent", ["sideways", "transfer", "", None])
def test_an_unknown_or_missing_direction_never_loses_the_call(tenant, sent):
    # Given a contact on the called number only
    called_contact = contact(tenant, "+380 67 222 33 44")
    body = {"call_id": new_call_id(), "caller_number": "380441111111", "called_number": "380672223344"}
    if sent is not None:
        body["direction"] = sent
    answer = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    assert answer.status == 201, answer.body
    activity = answer.body
    # Then the call is stored as "unknown" with what was sent, and matched to whichever party is a contact
    assert activity["direction"] == "unknown"
    assert activity["direction_given"] == (sent or None)
    assert activity["contact_id"] == called_contact["id"]
    stopped = call("POST", f"/ringotel/activities/{activity['call_id']}/stop", tenant.rw_token, json_body={})
    assert stopped.status == 200 and stopped.body["status"] == "completed"


def test_unset_variables_in_activity_bodies_count_as_absent(tenant):
    # CreateActivity, UpdateActivity and StopCallActivity as the document makes them with nothing known
    activity = start(tenant, caller_number="", called_number="", user_id="", started_at="", direction="inbound")
    assert activity["caller_number"] is None and activity["user_id"] is None and activity["started_at"]
    path = f"/ringotel/activities/{activity['id']}"
    updated = call("PUT", path, tenant.rw_token, json_body={"subject": "Call", "comment": "", "disposition": ""})
    assert updated.status == 200 and updated.body["subject"] == "Call" and updated.body["comment"] is None
    again = call("PUT", path, tenant.rw_token, json_body={"subject": "", "comment": "", "disposition": ""})
    assert again.status == 200 and again.body["subject"] == "Call"
    stopped = call(
        "POST", f"{path}/stop", tenant.rw_token, json_body={"ended_at": "", "duration_seconds": "", "cause": ""}
    )
    assert stopped.status == 200, stopped.body
    assert stopped.body["status"] == "completed" and stopped.body["duration_seconds"] is not None
