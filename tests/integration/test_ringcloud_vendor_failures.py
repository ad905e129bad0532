"""What RingCloud can do wrong, as the fake RingCloud does it on purpose: redirects, error envelopes on a
200, a failing origination; and which of its calls are the same call, and who made them.

Each test asserts what a user or RingCloud sees: the fake's requests, the stored activities, the
status an admin reads, the answer a click-to-call client gets.
"""

from collections.abc import Iterator

import pytest

from ringbridge import aws, clock, settings
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge_tools.fakes.ringcloud import Cut, Fail, FakeRingcloud, Slow, tone
from tests.support.api import call
from tests.support.ringcloud import (
    COMPLETE,
    IVAN,
    activities_of,
    add_call,
    create_contact,
    run_import,
    status_of,
)


@pytest.fixture
def elsewhere(fake_clock) -> Iterator[FakeRingcloud]:
    """A second server on 127.0.0.1 that a redirect could point to (it knows the same keys: nothing of
    ours may reach it all the same)."""
    server = FakeRingcloud().start()
    yield server
    server.stop()


def test_a_redirect_from_ringclouds_api_is_not_followed(tenant, configure_ringcloud, fake, elsewhere):
    # Given RingCloud answering the call list with a redirect to another server
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, Fail(302, location=f"{elsewhere.base_url}{COMPLETE}"))

    # When the schedule runs
    run_import()

    # Then the other server got nothing (the URL carries the key and hash); the status says why
    assert elsewhere.requests == []
    assert activities_of(tenant) == []
    [error] = status_of(tenant).errors
    assert error.startswith("RingCloud answered HTTP 302 to GET /v1/calls/complete")
    assert len(fake.served(COMPLETE)) == 1  # a redirect is not retried either


RECORDING = "/v1/users/olena101/records/e.wav"


@pytest.mark.parametrize("form", ["absolute", "scheme-relative"])
def test_a_recording_on_another_host_is_never_fetched_with_the_key(tenant, configure_ringcloud, fake, elsewhere, form):
    # Given a call whose rec_file names another server (the signed URL would hand it the key and hash)
    netloc = elsewhere.base_url.split("://", 1)[1]
    rec_file = f"{elsewhere.base_url}{RECORDING}" if form == "absolute" else f"//{netloc}{RECORDING}"
    add_call(fake, rec_file=rec_file)
    elsewhere.files[RECORDING] = (tone(0.2), "audio/wav")
    configure_ringcloud(tenant)

    run_import()

    # Then nothing reached either server for it; the call is imported without it, and the status says why
    assert elsewhere.requests == [] and fake.served(RECORDING) == []
    [activity] = activities_of(tenant)
    assert activity.get("recording") is None
    assert status_of(tenant).errors == [
        f"the recording of the call at {activity['started_at']} was skipped (a recording's rec_file points outside "
        "the RingCloud API host; not fetched); tried again later"
    ]


def test_a_recording_named_by_a_whole_url_on_ringclouds_own_host_is_fetched(tenant, configure_ringcloud, fake):
    add_call(fake, rec_file=f"{fake.base_url}{RECORDING}")
    fake.files[RECORDING] = (tone(0.2), "audio/wav")
    configure_ringcloud(tenant)

    run_import()

    [activity] = activities_of(tenant)
    assert activity["recording"]["content_type"] == "audio/wav"
    assert len(fake.served(RECORDING)) == 1 and status_of(tenant).errors == []


def test_a_base_url_written_with_a_trailing_slash_reaches_the_same_paths(
    tenant, configure_ringcloud, fake, monkeypatch
):
    # Given RINGCLOUD_BASE_URL ending in "/" (the fake, as a strict server, answers 404 to a path starting "//")
    monkeypatch.setenv("RINGCLOUD_BASE_URL", fake.base_url + "/")
    settings.reload()
    add_call(fake, rec_file=RECORDING)
    fake.files[RECORDING] = (tone(0.2), "audio/wav")
    configure_ringcloud(tenant)

    run_import()

    [activity] = activities_of(tenant)
    assert activity["recording"]["content_type"] == "audio/wav" and status_of(tenant).errors == []
    assert [r.status for r in fake.requests] == [200, 200, 200]  # the calls, the users, the recording


@pytest.mark.parametrize(
    ("cut", "errors"),
    [("hang-up", []), ("garbled", ["ChunkedEncodingError calling RingCloud GET /v1/calls/complete"])],
)
def test_a_cut_connection_is_tried_again_only_when_no_answer_had_begun(
    tenant, configure_ringcloud, fake, fake_clock, cut, errors
):
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, Cut(cut))

    run_import()

    # Closed before any answer, RingCloud may never have seen it: asked again once its turn came. A 200 whose
    # body breaks off is an answer no retry would mend: recorded, and the call waits for the next run
    retried = not errors
    assert len(fake.served(COMPLETE)) == (2 if retried else 1)
    assert len(activities_of(tenant)) == (1 if retried else 0)
    assert status_of(tenant).errors == errors


def test_a_password_missing_from_ssm_is_recorded_and_ringcloud_never_asked(tenant, configure_ringcloud, fake):
    # Given an account whose RingCloud password parameter was deleted behind our back
    add_call(fake)
    configure_ringcloud(tenant)
    name = settings.current().ringcloud.password_parameter(tenant.account_id, "password")
    aws.ssm().delete_parameter(Name=name)

    run_import()

    assert fake.requests == [] and activities_of(tenant) == []
    assert status_of(tenant).errors == [f"cannot read the RingCloud password from SSM parameter {name}"]


def test_an_error_envelope_on_a_200_is_refused_not_retried_and_recorded(tenant, configure_ringcloud, fake):
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, Fail(200))

    run_import()

    assert activities_of(tenant) == []
    assert status_of(tenant).errors == ["RingCloud answered GET /v1/calls/complete with an error: planned failure"]
    assert status_of(tenant).last_success_at is None
    assert len(fake.served(COMPLETE)) == 1


@pytest.mark.parametrize("message", [None, ""], ids=["null", "empty"])
def test_an_error_without_a_message_is_recorded_as_having_none(tenant, configure_ringcloud, fake, message):
    # Given RingCloud refusing the call list with an error envelope that carries no message
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(COMPLETE, Fail(404, message=message))

    run_import()

    # Then the status an admin reads says that RingCloud gave no reason
    assert status_of(tenant).errors == ["RingCloud answered HTTP 404 to GET /v1/calls/complete: no message"]
    assert activities_of(tenant) == []


@pytest.mark.parametrize("failure", [Fail(500), Fail(503, retry_after="1"), Fail(200)], ids=["500", "503", "envelope"])
def test_a_failed_origination_is_never_retried_so_the_phone_never_rings_twice(
    tenant, configure_ringcloud, fake, fake_clock, failure
):
    # Given RingCloud failing the origination once (it may have rung the phone all the same)
    configure_ringcloud(tenant)
    fake.plan("/v1/calls", failure)

    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})

    # Then the caller hears 502, saying what RingCloud answered, and RingCloud got exactly one request
    assert answer.status == 502, answer.body
    assert answer.body["error"]["message"].startswith("RingCloud answered"), answer.body
    assert "POST /v1/calls" in answer.body["error"]["message"], answer.body
    assert len(fake.served("/v1/calls", "POST")) == 1
    assert fake.violations == 0


def test_ringclouds_429_on_the_origination_is_a_429_to_the_caller_and_is_not_retried(
    tenant, configure_ringcloud, fake, fake_clock
):
    # Given RingCloud limiting the origination (the key is also used elsewhere)
    configure_ringcloud(tenant)
    fake.plan("/v1/calls", Fail(429, retry_after="1"))

    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})

    # Then the caller is told to try again later (not that RingCloud failed), and RingCloud got one request
    assert answer.status == 429, answer.body
    assert answer.headers["retry-after"] == "5"
    assert "try again later" in answer.body["error"]["message"]
    assert len(fake.served("/v1/calls", "POST")) == 1
    assert fake.violations == 0


@pytest.mark.parametrize(("takes", "rings"), [(7.5, True), (7.51, False)], ids=["half-a-second-left", "less"])
def test_a_click_to_call_that_runs_out_of_time_before_the_origination_never_sends_it(
    tenant, configure_ringcloud, fake, fake_clock, takes, rings
):
    # Given RingCloud taking most of click-to-call's 8 s to list its users (this user's RingCloud name is not known
    # yet, so click-to-call asks), and 0.5 s being the least time worth starting the origination with
    configure_ringcloud(tenant)
    fake.plan("/v1/users", Slow(takes))

    answer = call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN})

    # Then with half a second left the phone rings; with less, the origination is never sent (a request cut short
    # would leave the caller not knowing whether it rings) and the caller hears why
    if rings:
        assert answer.status == 202, answer.body
        assert len(fake.originations) == 1
    else:
        assert answer.status == 502, answer.body
        assert answer.body == {
            "error": {"code": "bad_gateway", "message": "RingCloud did not answer in time", "field": None}
        }
        assert fake.served("/v1/calls", "POST") == []
    assert fake_clock.mono == 1_000.0 + takes  # nothing waited beyond RingCloud's own slowness


def test_the_click_to_call_slot_expires_in_epoch_seconds_a_minute_after_it_frees(tenant, configure_ringcloud, fake):
    # DynamoDB's TTL reads epoch seconds: an expiry in milliseconds would keep the item for 50,000 years,
    # one before the slot frees could delete a slot still in use
    configure_ringcloud(tenant)
    before = clock.now().timestamp()
    assert call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", "number": IVAN}).status == 202

    slot = aws.dynamodb().get_item(
        TableName=table.name(),
        Key=table.key(table.account_pk(tenant.account_id), ringcloud_dal.ORIGINATE_SK),
        ConsistentRead=True,
    )["Item"]
    expires_at, next_at_ms = int(slot["expires_at"]["N"]), int(slot["next_at"]["N"])
    assert expires_at == next_at_ms // 1000 + 60
    assert before + 5 < next_at_ms / 1000 < before + 10


# --- which calls are one call, and who made them ---


def test_calls_that_differ_in_one_identifying_field_are_two_calls(tenant, configure_ringcloud, fake, fake_clock):
    # Given the legs of one incoming call: first to the public number, then to the extension
    # that answered; and the same leg listed again with a recording added since
    start, end = "2026-11-20 10:00:00", "2026-11-20 10:01:00"
    add_call(fake, dst="380442223344", start=start, end=end)
    add_call(fake, dst="101", start=start, end=end)
    add_call(fake, dst="101", start=start, end="2026-11-20 10:01:01")  # one second longer: another leg
    configure_ringcloud(tenant)
    run_import()
    assert len(activities_of(tenant)) == 3

    # When a later window lists the first leg again, now with a recording and another disposition
    fake.calls[0].update(disposition="BUSY", rec_file="/v1/users/olena101/records/leg.wav")
    fake.files["/v1/users/olena101/records/leg.wav"] = (tone(0.2), "audio/wav")
    fake_clock.advance(300)
    run_import()

    # Then it is the same call: no fourth activity, and its recording is attached to it
    activities = activities_of(tenant)
    assert len(activities) == 3
    assert [a["called_number"] for a in activities if a.get("recording")] == ["380442223344"]


def test_an_outgoing_call_is_the_crm_user_of_its_extension_to_the_contact_it_dialled(tenant, configure_ringcloud, fake):
    # Given a contact, and an outgoing call from extension 101 (the tenant's CRM user) to the contact
    ivan = create_contact(tenant)
    add_call(fake, "outgoing", src="101", dst=IVAN)
    configure_ringcloud(tenant)

    run_import()

    [activity] = activities_of(tenant)
    assert activity["direction"] == "outbound"
    assert (activity["user_id"], activity["contact_id"]) == (tenant.user_id, ivan["id"])
    assert (activity["caller_number"], activity["called_number"]) == ("101", IVAN)


def test_an_incoming_calls_dialled_number_is_no_ones_even_if_it_looks_like_an_extension(
    tenant, configure_ringcloud, fake
):
    # Given an incoming call to a number that is a CRM user's extension but no RingCloud user's
    fake.users = [u for u in fake.users if u["num"] != "101"]
    add_call(fake, "incoming", src=IVAN, dst="101")
    configure_ringcloud(tenant)

    run_import()

    [activity] = activities_of(tenant)
    assert activity.get("user_id") is None
