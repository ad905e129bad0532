"""RingCloud: the scheduled import (its real lambda_handler) and click-to-call, against moto and a fake RingCloud.

Time comes from a clock the tests move (``FakeClock``): the client's spacing and backoff sleep on
it, and the fake RingCloud measures its rate-limit windows on it, so nothing here really waits.
"""

import hashlib
import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ringbridge import aws, settings
from ringbridge.budget import Budget
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge.errors import InvalidInput, NotFound, TooManyRequests
from ringbridge.logic import accounts, click_to_call, ringcloud, ringcloud_import
from ringbridge.models.ringcloud import ClickToCall
from ringbridge_tools.fakes.ringcloud import Fail, tone
from tests.support.api import call
from tests.support.dynamodb import account_items
from tests.support.ringcloud import (
    COMPLETE,
    IVAN,
    activities_of,
    add_call,
    after_each_write,
    create_contact,
    run_import,
    status_of,
)


def stored_bytes(activity: dict) -> bytes:
    answer = aws.s3().get_object(Bucket=settings.current().recordings_bucket, Key=activity["recording"]["key"])
    return answer["Body"].read()


# --- the import ---


def test_completed_calls_become_completed_activities_matched_like_find_contact(tenant, configure_ringcloud, fake):
    # Given a contact, a RingCloud user with the CRM user's extension, and three completed calls
    ivan = create_contact(tenant)
    audio = tone(0.5)
    add_call(fake, rec_file="/v1/users/olena101/records/a.wav", audio=audio, duration=95, start="2026-11-20 10:00:00")
    add_call(fake, "outgoing", src="102", dst="380671234567", start="2026-11-20 11:00:00", disposition="NO ANSWER")
    add_call(fake, "internal", src="101", dst="102", start="2026-11-20 12:00:00")
    configure_ringcloud(tenant)

    # When the schedule runs
    result = run_import()

    # Then the two external calls are completed activities (the internal one is skipped)
    assert result["accounts"][0]["calls_imported"] == 2, result
    incoming, outgoing = sorted(activities_of(tenant), key=lambda a: a["started_at"])
    assert incoming["status"] == outgoing["status"] == "completed"
    assert (incoming["direction"], outgoing["direction"]) == ("inbound", "outbound")
    assert incoming["started_at"] == "2026-11-20T10:00:00.000Z"
    assert incoming["ended_at"] == "2026-11-20T10:01:35.000Z"
    assert incoming["duration_seconds"] == 95
    assert (incoming["disposition"], outgoing["disposition"]) == ("ANSWERED", "NO ANSWER")
    # ... on the contact FindContact finds for the caller's number, and the user with extension 101
    found = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": IVAN})
    assert found.body["contacts"][0]["id"] == ivan["id"] == incoming["contact_id"]
    assert incoming["user_id"] == tenant.user_id
    assert outgoing.get("contact_id") is None and outgoing.get("user_id") is None  # 102 has no CRM user
    # ... a Ringio client sees the ring
    rings = call("GET", f"/ringio/rings/{incoming['id']}", tenant.ro_token)
    assert rings.status == 200
    # ... the recording is in S3 byte for byte, with its type
    assert stored_bytes(incoming) == audio
    assert incoming["recording"]["content_type"] == "audio/wav"
    assert outgoing.get("recording") is None
    # ... the status tells, and RingCloud's limits were never exceeded
    status = status_of(tenant)
    assert (status.calls_imported, status.recordings_stored, status.errors) == (2, 1, [])
    assert status.last_success_at == status.last_run_at
    assert fake.violations == 0
    assert [r.path for r in fake.requests if r.method == "GET"].count("/v1/users") == 1


def test_a_second_run_imports_nothing_again_and_downloads_nothing_twice(
    tenant, configure_ringcloud, fake, fake_clock, no_scan
):
    # Given calls imported by a first run, one with its recording and one without
    add_call(fake, rec_file="/v1/users/olena101/records/b.wav", audio=tone(0.3))
    add_call(fake, "outgoing", src="101", dst="380671234567", start="2026-11-20 11:00:00")
    configure_ringcloud(tenant)
    run_import()
    first = activities_of(tenant)

    # When the next run sees the same window (its requests to RingCloud and DynamoDB watched), and a third
    # sees one more call
    fake_clock.advance(300)
    served = len(fake.served())
    no_scan.clear()
    second = run_import()
    asked, operations = [r.path for r in fake.served()[served:]], Counter(no_scan)
    fake_clock.advance(300)
    add_call(fake, start="2026-11-20 12:00:00")
    third = run_import()

    # Then nothing was duplicated or downloaded again; only the new call came in
    assert second["accounts"][0]["calls_imported"] == 0
    # ... the second run only listed the calls: in DynamoDB it read the registry (Query), the account's
    # configuration and status and then both calls (a BatchGetItem each), claimed RingCloud's request spacing
    # (PutItem) and wrote its outcome and its place in the registry (UpdateItem)
    assert asked == [COMPLETE]
    assert operations == Counter({"Query": 1, "BatchGetItem": 2, "PutItem": 1, "UpdateItem": 2})
    assert third["accounts"][0]["calls_imported"] == 1
    assert len(activities_of(tenant)) == 3
    assert {a["id"] for a in first} <= {a["id"] for a in activities_of(tenant)}
    assert len(fake.served("/v1/users/olena101/records/b.wav")) == 1
    assert status_of(tenant).calls_imported_total == 3
    assert fake.violations == 0


def test_times_are_read_in_the_accounts_zone_in_the_common_forms(tenant, configure_ringcloud, fake):
    # Given an account in Kyiv (UTC+2 in November) and times in several forms
    add_call(fake, start="2026-11-20 10:00:00", end="2026-11-20 10:01:00")
    add_call(fake, start="2026-11-20T11:00:00", end="2026-11-20T11:01:00")
    add_call(fake, start="20.11.2026 12:00:00", end="20.11.2026 12:01:00")
    add_call(fake, start="2026-11-20T13:00:00+00:00", end="2026-11-20T13:01:00+00:00")
    add_call(fake, start=str(int(datetime(2026, 11, 20, 14, tzinfo=UTC).timestamp())), end="")
    configure_ringcloud(tenant, timezone="Europe/Kyiv")

    # When imported
    run_import()

    # Then naive times are Kyiv's, explicit offsets and epoch seconds are kept
    started = sorted(a["started_at"] for a in activities_of(tenant))
    assert started == [
        "2026-11-20T08:00:00.000Z",
        "2026-11-20T09:00:00.000Z",
        "2026-11-20T10:00:00.000Z",
        "2026-11-20T13:00:00.000Z",
        "2026-11-20T14:00:00.000Z",
    ]
    ends = {a["started_at"]: a["ended_at"] for a in activities_of(tenant)}
    assert ends["2026-11-20T08:00:00.000Z"] == "2026-11-20T08:01:00.000Z"
    assert ends["2026-11-20T14:00:00.000Z"] == "2026-11-20T14:01:00.000Z"  # no end: start + duration


@pytest.mark.parametrize("failures", [[Fail(429, retry_after="2")], [Fail(500), Fail(503)]], ids=["429", "5xx"])
def test_429_and_5xx_are_retried_with_backoff_without_breaking_the_limits(
    tenant, configure_ringcloud, fake, fake_clock, failures
):
    # Given RingCloud failing the call list a few times first
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, *failures)

    # When the schedule runs (with a deployed run's time)
    result = ringcloud_import.import_all(Budget(290))

    # Then it waited (on the clock) and got the calls; no retry came inside RingCloud's 5 s window
    assert result.accounts[0].calls_imported == 1
    assert len(fake.served(COMPLETE)) == len(failures) + 1
    assert fake_clock.slept and sum(fake_clock.slept) >= 5 * len(failures) - 1e-6
    assert fake.violations == 0
    assert status_of(tenant).errors == []


@pytest.mark.parametrize("last", ["answers", "fails"])
def test_a_request_is_made_at_most_the_configured_number_of_times(tenant, configure_ringcloud, fake, fake_clock, last):
    # Given RingCloud failing the call list on every attempt but the last one allowed, or on that one too
    attempts = settings.current().ringcloud.max_attempts
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, *[Fail(503)] * (attempts - 1 if last == "answers" else attempts))

    result = ringcloud_import.import_all(Budget(290))

    # Then RingCloud was asked exactly that many times: the last answer is what the run got
    assert len(fake.served(COMPLETE)) == attempts
    if last == "answers":
        assert (result.accounts[0].calls_imported, status_of(tenant).errors) == (1, [])
    else:
        assert result.accounts[0].calls_imported == 0
        assert status_of(tenant).errors == ["RingCloud answered HTTP 503 to GET /v1/calls/complete: planned failure"]


def test_403_is_recorded_and_not_retried(tenant, configure_ringcloud, fake):
    # Given a wrong password
    add_call(fake)
    configure_ringcloud(tenant, password="not-the-password")

    # When the schedule runs
    result = run_import()

    # Then one request, nothing imported, the status says why
    assert len(fake.served(COMPLETE)) == 1
    assert result["accounts"][0]["calls_imported"] == 0
    status = status_of(tenant)
    assert any("403" in error for error in status.errors), status.errors
    assert status.last_success_at is None
    assert activities_of(tenant) == []


def test_a_retry_after_beyond_the_run_stops_the_account_and_the_next_run_catches_up(
    tenant, configure_ringcloud, fake, fake_clock
):
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, Fail(429, retry_after="3600"))

    run_import()
    assert activities_of(tenant) == []
    assert any("429" in error for error in status_of(tenant).errors)

    fake_clock.advance(300)
    run_import()
    assert len(activities_of(tenant)) == 1
    assert status_of(tenant).errors == []
    assert fake.violations == 0


def test_an_empty_recording_is_retried_in_a_later_run(tenant, configure_ringcloud, fake, fake_clock, no_scan):
    # Given a recording RingCloud answers empty the first time
    audio = tone(0.4)
    add_call(fake, rec_file="/v1/users/olena101/records/c.wav", audio=audio)
    configure_ringcloud(tenant)
    fake.plan("/v1/users/olena101/records/c.wav", Fail(empty=True))

    # When the first run imports the call, and a later one comes
    run_import()
    [activity] = activities_of(tenant)
    assert activity.get("recording") is None
    errors = status_of(tenant).errors
    assert len(errors) == 1 and "recording" in errors[0] and "empty" in errors[0]
    fake_clock.advance(300)
    no_scan.clear()
    run_import()
    second = Counter(no_scan)
    fake_clock.advance(300)
    run_import()

    # Then the second run stored it; the third did not fetch it again
    [activity] = activities_of(tenant)
    assert stored_bytes(activity) == audio
    # ... and the second run wrote only the recording to the activity it had, not the activity again (one
    # transaction; one GetItem, the account's region)
    assert (second["TransactWriteItems"], second["GetItem"]) == (1, 1), second
    assert len(fake.served("/v1/users/olena101/records/c.wav")) == 2
    assert status_of(tenant).recordings_stored_total == 1


def test_a_run_out_of_time_records_where_it_stopped_and_loses_nothing(
    tenant, configure_ringcloud, fake, fake_clock, monkeypatch
):
    # Given three calls, and a run whose time runs out after the first call
    for hour in (10, 11, 12):
        add_call(fake, start=f"2026-11-20 {hour}:00:00")
    configure_ringcloud(tenant)
    after_each_write(monkeypatch, lambda: fake_clock.advance(60))  # each write "takes" a minute

    # When a run has 30 s
    result = ringcloud_import.import_all(Budget(30))

    # Then it stopped after the first call and said where; the next run imports the rest
    assert result.stopped_early
    status = status_of(tenant)
    assert status.stopped_early and status.stopped_at == "2026-11-20T11:00:00.000Z"
    assert status.calls_imported == 1
    fake_clock.advance(300)
    ringcloud_import.import_all(Budget(1000))
    assert len(activities_of(tenant)) == 3
    assert not status_of(tenant).stopped_early


@pytest.mark.parametrize(("left", "imported"), [(1.0, True), (0.999, False)], ids=["exactly-enough", "less"])
def test_a_call_is_started_only_with_its_minimum_time_left(
    tenant, configure_ringcloud, fake, fake_clock, monkeypatch, left, imported
):
    # Given two calls, and a run left with `left` seconds once the first is written: 1 s is the least a
    # call starts with (the fake clock's seconds are exact)
    add_call(fake, start="2026-11-20 10:00:00")
    add_call(fake, start="2026-11-20 11:00:00")
    configure_ringcloud(tenant)
    budget = Budget(100)
    after_each_write(monkeypatch, lambda: fake_clock.advance(budget.remaining() - left))

    ringcloud_import.import_all(budget)

    # Then with enough time the second call is imported too; with less the run stops at it
    status = status_of(tenant)
    assert status.calls_imported == 1 + imported
    assert (status.stopped_early, status.stopped_at) == (
        (False, None) if imported else (True, "2026-11-20T11:00:00.000Z")
    )


def test_another_accounts_data_is_never_touched(tenant, other_tenant, configure_ringcloud, fake):
    # Given the same number as a contact in another account, which has no RingCloud
    other_contact = create_contact(other_tenant)
    add_call(fake)
    configure_ringcloud(tenant)

    # When the schedule runs
    run_import()

    # Then only the configured account got the call, matched to no contact of the other
    [activity] = activities_of(tenant)
    assert activity.get("contact_id") != other_contact["id"]
    assert activities_of(other_tenant) == []


def test_secrets_never_reach_logs_status_or_the_table(
    tenant, configure_ringcloud, fake, keys, fake_clock, capsys, debug_log
):
    # Given logs at DEBUG, and runs that fail (403, an empty recording) and succeed
    add_call(fake, rec_file="/v1/users/olena101/records/d.wav", audio=tone(0.2))
    configure_ringcloud(tenant, password="wrong")
    run_import()
    fake_clock.advance(300)
    configure_ringcloud(tenant)
    fake.plan("/v1/users/olena101/records/d.wav", Fail(500))
    result = run_import()
    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})
    assert answer.status == 202

    # Then no password, hash or signed URL is in the logs, the run's result, the status or the table
    ro_hash = hashlib.md5((keys.ro + keys.ro_password).encode()).hexdigest()
    rw_hash = hashlib.md5((keys.rw + keys.rw_password).encode()).hexdigest()
    secrets = [keys.ro_password, keys.rw_password, ro_hash, rw_hash, "hash="]
    logged = debug_log.getvalue() + capsys.readouterr().out
    assert "403" in logged and "recording" in logged
    items = account_items(tenant.account_id)
    for place in (logged, json.dumps(result), status_of(tenant).model_dump_json(), json.dumps(items)):
        for secret in secrets:
            assert secret not in place
    parameter = aws.ssm().get_parameter(Name=f"/ringbridge/ringcloud/{tenant.account_id}/password", WithDecryption=True)
    assert parameter["Parameter"]["Type"] == "SecureString"
    assert parameter["Parameter"]["Value"] == keys.ro_password


# --- click-to-call ---


def test_click_to_call_sends_the_users_name_and_the_number_as_digits(
    tenant, configure_ringcloud, fake, fake_clock, keys
):
    configure_ringcloud(tenant)
    ivan = create_contact(tenant, "(044) 111-11-11")

    by_number = call(
        "POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": "044 111 1111"}
    )

    assert by_number.status == 202, by_number.body
    assert by_number.body == {
        "user_id": tenant.user_id,
        "extension": "101",
        "ringcloud_user": "olena101",
        "number": IVAN,
        "contact_id": None,
    }
    assert fake.originations == [{"user": "olena101", "num": IVAN}]
    assert [r.key for r in fake.served("/v1/calls", "POST")] == [keys.rw]

    fake_clock.advance(6)  # past RingCloud's one call per 5 s
    by_contact = call(
        "POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": tenant.user_id, "contact_id": ivan["id"]}
    )
    assert by_contact.status == 202, by_contact.body
    assert by_contact.body["contact_id"] == ivan["id"]
    assert fake.originations[-1] == {"user": "olena101", "num": IVAN}
    assert fake.violations == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"user_id": "999", "number": IVAN}, 422, "user_id"),
        ({"user_id": "101", "contact_id": "01NOSUCHCONTACT"}, 422, "contact_id"),
        ({"user_id": "101", "number": "12"}, 422, "number"),
        ({"user_id": "101"}, 422, "number"),
        ({"user_id": "101", "number": IVAN, "contact_id": "01X"}, 422, "number"),
        ({"number": IVAN}, 422, "user_id"),
    ],
)
def test_click_to_call_refuses_bad_input_naming_the_field(tenant, configure_ringcloud, fake, body, status, field):
    configure_ringcloud(tenant)
    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body=body)
    assert (answer.status, answer.body["error"]["field"]) == (status, field), answer.body
    assert fake.originations == []


def test_click_to_call_to_a_contact_says_why_it_cannot_be_dialled(tenant, other_tenant, configure_ringcloud, fake):
    configure_ringcloud(tenant)
    theirs = call("POST", "/ringotel/contacts", other_tenant.rw_token, json_body={"first_name": "Theirs"})
    silent = call("POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "No Phone"})
    assert (theirs.status, silent.status) == (201, 201)

    def dial(contact_id: str) -> dict:
        answer = call(
            "POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "contact_id": contact_id}
        )
        assert answer.status == 422, answer.body
        return answer.body

    both = call(
        "POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN, "contact_id": "01X"}
    )
    assert (both.status, both.body) == (
        422,
        {"error": {"code": "invalid", "message": "give either number or contact_id (exactly one)", "field": "number"}},
    )
    not_ours = {"error": {"code": "invalid", "message": "is not a contact of this account", "field": "contact_id"}}
    assert dial(theirs.body["id"]) == dial("01NOSUCHCONTACT") == not_ours
    assert dial(silent.body["id"]) == {
        "error": {"code": "invalid", "message": "this contact has no phone number", "field": "contact_id"}
    }
    assert fake.originations == []


def test_click_to_call_for_a_user_who_cannot_be_rung_says_why(tenant, configure_ringcloud, fake):
    configure_ringcloud(tenant)
    deskless = accounts.create_user(tenant.account_id, "Lesya Ukrainka")

    def dial(user_id: str) -> dict:
        answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": user_id, "number": IVAN})
        assert answer.status == 422, answer.body
        return answer.body["error"]

    assert dial("999") == {
        "code": "invalid",
        "message": "is neither a user id nor the extension of a user of this account",
        "field": "user_id",
    }
    assert dial(deskless.id) == {
        "code": "invalid",
        "message": "this user has no extension, so there is no RingCloud phone to ring",
        "field": "user_id",
    }
    assert fake.served() == []


def test_click_to_call_for_a_user_whose_extension_ringcloud_does_not_know_names_user_id(
    tenant, configure_ringcloud, fake, keys
):
    configure_ringcloud(tenant)
    stranger = accounts.create_user(tenant.account_id, "Taras Shevchenko", extension="555")

    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": stranger.id, "number": IVAN})

    assert answer.status == 422, answer.body
    assert answer.body == {
        "error": {
            "code": "invalid",
            "message": "extension 555 of this user is not a RingCloud user's",
            "field": "user_id",
        }
    }
    assert [r.key for r in fake.served("/v1/users")] == [keys.ro] and fake.originations == []


def test_click_to_call_without_an_rw_key_is_a_conflict(tenant, configure_ringcloud, fake, other_tenant):
    configure_ringcloud(tenant, rw_api_key=None, rw_password=None)
    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})
    assert answer.status == 409
    assert answer.body["error"]["message"] == (
        "this account's RingCloud config has no RW key, which starting a call needs "
        "(ringbridge admin ringcloud-config … --rw-api-key KEY --rw-password PASS)"
    )
    unconfigured = call("POST", "/ringcloud/calls", other_tenant.rw_token, json_body={"user_id": "x", "number": IVAN})
    assert unconfigured.status == 409
    assert unconfigured.body["error"]["message"] == (
        "RingCloud is not configured for this account (ringbridge admin ringcloud-config)"
    )
    read_only = call("POST", "/ringcloud/calls", tenant.ro_token, json_body={"user_id": "101", "number": IVAN})
    assert read_only.status == 403
    assert fake.originations == []


def test_concurrent_click_to_calls_send_exactly_one_per_window(tenant, configure_ringcloud, fake, fake_clock):
    # Given eight requests at the same moment, as from eight Lambda instances (user names known from an import)
    configure_ringcloud(tenant)
    ringcloud_dal.put_users(tenant.account_id, {"101": "olena101"})
    request = ClickToCall(user_id="101", number=IVAN)
    barrier = threading.Barrier(8)
    outcomes: list[object] = []

    def one() -> None:
        barrier.wait()
        try:
            outcomes.append(click_to_call.start_call(tenant.scope, request))
        except TooManyRequests as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one reached RingCloud; the others were told when to retry
    refused = [o for o in outcomes if isinstance(o, TooManyRequests)]
    assert len(outcomes) == 8 and len(refused) == 7
    assert all(1 <= r.retry_after <= 6 and r.headers()["Retry-After"] == str(r.retry_after) for r in refused)
    assert len(fake.served("/v1/calls", "POST")) == 1 and fake.violations == 0

    # ... over HTTP a request inside the window answers 429 with Retry-After; after it, 202
    fake_clock.advance(2)
    inside = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})
    assert inside.status == 429 and inside.headers["retry-after"] == "4"
    fake_clock.advance(4)
    after = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})
    assert after.status == 202
    assert len(fake.served("/v1/calls", "POST")) == 2 and fake.violations == 0


def test_a_refused_click_to_call_says_to_retry_after_the_wait_rounded_up_to_whole_seconds(
    tenant, configure_ringcloud, fake, fake_clock
):
    # Given a call started at a whole second (the key's slot frees 5.5 s later)
    fake_clock.start = datetime(2026, 11, 20, 10, 0, tzinfo=UTC) - timedelta(seconds=fake_clock.mono - 1_000.0)
    configure_ringcloud(tenant)
    ringcloud_dal.put_users(tenant.account_id, {"101": "olena101"})

    def dial():
        return call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})

    assert dial().status == 202

    # Then 1.001 s before the slot frees, the caller is told 2 s; exactly 1 s before, 1 s
    fake_clock.advance(4.499)
    refused = dial()
    assert (refused.status, refused.headers["retry-after"]) == (429, "2")
    fake_clock.advance(0.001)
    refused = dial()
    assert (refused.status, refused.headers["retry-after"]) == (429, "1")
    assert len(fake.served("/v1/calls", "POST")) == 1


def test_click_to_call_asks_ringcloud_for_an_unknown_extension_once(tenant, configure_ringcloud, fake, fake_clock):
    # Given no import has run yet (no user names known)
    configure_ringcloud(tenant)
    assert call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN}).status == 202
    fake_clock.advance(6)
    assert call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN}).status == 202
    assert len(fake.served("/v1/users")) == 1


# --- configuration ---


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--api-key", "nodigits", "--password", "p"],
            "must be a RingCloud API key: <account number>_<key body>, e.g. 12345_a1b2c3 (--api-key)",
        ),
        (
            ["--api-key", "12_abc", "--password", "p", "--timezone", "Mars/Olympus"],
            "'Mars/Olympus' is not an IANA time zone (e.g. Europe/Kyiv) (--timezone)",
        ),
        (["--api-key", "12_abc", "--password", "p", "--days", "8"], "must be less than or equal to 7 (--days)"),
        (
            ["--api-key", "12_abc", "--password", "p", "--rw-api-key", "13_x"],
            "the RW key and its password come together (--rw-api-key)",
        ),
    ],
)
def test_bad_configuration_exits_1_naming_the_problem(tenant, args, message, capsys):
    from ringbridge_tools import cli

    code = cli.main(["admin", "--table", table.name(), "ringcloud-config", tenant.account_id, *args])
    assert code == 1
    assert capsys.readouterr().err == f"error: {message}\n"
    assert ringcloud_dal.get_config_and_status(tenant.account_id) == (None, None)


def test_removing_ringcloud_leaves_none_of_its_items(tenant, configure_ringcloud, fake):
    # Given an account that has imported (its status) and made a call (its click-to-call slot)
    add_call(fake)
    configure_ringcloud(tenant)
    run_import()
    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})
    assert answer.status == 202, answer.body
    kept = {"RINGCLOUD#CONFIG", "RINGCLOUD#STATUS", "RINGCLOUD#ORIGINATE"}
    assert kept <= {item["SK"]["S"] for item in account_items(tenant.account_id)}

    ringcloud.remove(tenant.account_id)

    # (RingCloud's spacing turns stay until DynamoDB's TTL takes them, a minute after they free)
    left = {item["SK"]["S"] for item in account_items(tenant.account_id, "RINGCLOUD#")}
    assert {sk for sk in left if not sk.startswith("RINGCLOUD#SPACING#")} == set()


@pytest.mark.parametrize(
    ("password", "rw_password", "field"),
    [
        ("   ", None, "password"),
        ("p" * (ringcloud.MAX_PASSWORD_LENGTH + 1), None, "password"),
        ("p", "", "rw_password"),
        ("p", "r" * (ringcloud.MAX_PASSWORD_LENGTH + 1), "rw_password"),
    ],
    ids=["blank", "too-long", "rw-empty", "rw-too-long"],
)
def test_a_password_that_cannot_be_the_keys_is_refused_naming_it(tenant, password, rw_password, field):
    rw = {"rw_api_key": "12_rw", "rw_password": rw_password} if rw_password is not None else {}
    with pytest.raises(InvalidInput) as refused:
        ringcloud.configure(tenant.account_id, "12_abc", password, **rw)
    assert (refused.value.message, refused.value.field) == ("must be the key's password", field)
    assert ringcloud_dal.get_config_and_status(tenant.account_id) == (None, None)


@pytest.mark.parametrize("rw", [{"rw_api_key": "12_rw"}, {"rw_password": "r"}], ids=["key-alone", "password-alone"])
def test_the_rw_key_and_its_password_come_together(tenant, rw):
    with pytest.raises(InvalidInput) as refused:
        ringcloud.configure(tenant.account_id, "12_abc", "p", **rw)
    assert (refused.value.message, refused.value.field) == ("the RW key and its password come together", "rw_api_key")
    assert ringcloud_dal.get_config_and_status(tenant.account_id) == (None, None)


def test_passwords_of_the_longest_length_are_kept(tenant, configure_ringcloud):
    longest = "p" * ringcloud.MAX_PASSWORD_LENGTH
    configure_ringcloud(tenant, password=longest, rw_password=longest)
    assert ringcloud_dal.get_config_and_status(tenant.account_id)[0] is not None


def test_configure_status_remove_through_the_cli(tenant, fake, keys, capsys):
    from ringbridge_tools import cli

    base = ["admin", "--table", table.name()]
    assert cli.main([*base, "ringcloud-config", tenant.account_id, "--api-key", keys.ro, "--password", keys.ro_password,
                     "--timezone", "Europe/Kyiv", "--days", "3"]) == 0  # fmt: skip
    shown = capsys.readouterr()
    assert keys.ro_password not in shown.out + shown.err
    assert json.loads(shown.out)["timezone"] == "Europe/Kyiv"
    assert tenant.account_id in ringcloud_dal.configured_accounts()

    assert cli.main([*base, "ringcloud-status", tenant.account_id]) == 0
    [status] = json.loads(capsys.readouterr().out)
    assert status["config"]["days"] == 3 and status["status"]["calls_imported"] == 0

    assert cli.main([*base, "ringcloud-remove", tenant.account_id]) == 0
    assert tenant.account_id not in ringcloud_dal.configured_accounts()
    assert ringcloud_dal.get_config_and_status(tenant.account_id) == (None, None)
    with pytest.raises(aws.ssm().exceptions.ParameterNotFound):
        aws.ssm().get_parameter(Name=f"/ringbridge/ringcloud/{tenant.account_id}/password")
    # Removing it again is a 404 naming the account, as the CLI shows it
    with pytest.raises(NotFound) as refused:
        ringcloud.remove(tenant.account_id)
    not_configured = "RingCloud is not configured for this account"
    assert (refused.value.message, refused.value.field) == (not_configured, "account_id")
    assert cli.main([*base, "ringcloud-remove", tenant.account_id]) == 1
    assert capsys.readouterr().err == f"error: {not_configured} (ACCOUNT_ID)\n"
