"""The RingCloud import against a RingCloud that sends what it should not: one bad call, one bad
element, one slow recording or one broken account never stops the other calls or the other accounts.

The fake RingCloud sends each bad value as JSON text (``Raw``), as a real server would; time is the
tests' clock (see test_ringcloud), except a dripping download's, which a real socket's deadline bounds.
"""

import json

import pytest
import requests
from botocore.exceptions import ClientError, ReadTimeoutError

from ringbridge import aws
from ringbridge.budget import Budget
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge.logic import ringcloud_failures, ringcloud_import
from ringbridge.models.ringcloud import MAX_ERRORS_KEPT
from ringbridge_tools.fakes.ringcloud import Body, Fail, Raw, tone
from tests.support.dynamodb import dynamodb_hook, store_as_is
from tests.support.metrics import published
from tests.support.ringcloud import COMPLETE, activities_of, add_call, after_each_write, run_import, status_of
from tests.support.tenants import make_tenant

BAD_VALUES = {
    "duration 1e400": {"duration": Raw("1e400")},
    "duration 10**40": {"duration": Raw("1" + "0" * 40)},
    "duration -5": {"duration": -5},
    "duration a string": {"duration": "long"},
    "call_start_time 1e400": {"call_start_time": Raw("1e400")},
    "call_start_time 10**40 digits": {"call_start_time": "9" * 40},
    "direction unknown": {"direction": "sideways"},
}


def good_calls_around(fake, **bad):
    """An older and a newer good call around one with ``bad`` fields (all at minutes of one hour)."""
    add_call(fake, start="2026-11-20 10:00:00")
    fields = {"direction": "incoming", "src": "380441111119", "dst": "101", "duration": 60}
    fields |= {"call_start_time": "2026-11-20 10:05:00", "call_end_time": "2026-11-20 10:06:00"}
    fake.add_call(**{**fields, **bad})
    add_call(fake, start="2026-11-20 10:10:00")


def add_unreadable_call(fake, start: str) -> None:
    """A call the import refuses to read (its duration is infinite): it fails, and is tried again later."""
    add_call(fake, start=start, end=start, duration=Raw("1e400"))


UNREADABLE = f"unreadable: duration 'inf' is outside 0 to {ringcloud_import.MAX_DURATION_SECONDS} seconds"


@pytest.mark.parametrize("bad", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_one_unreadable_call_is_recorded_and_skipped_and_the_others_are_imported(
    tenant, configure_ringcloud, fake, bad
):
    # Given a bad call between two good ones
    good_calls_around(fake, **bad)
    configure_ringcloud(tenant)

    # When the schedule runs
    result = run_import()

    # Then both good calls are imported; the bad one is named (its start) in the status, with why
    assert result["accounts"][0]["calls_imported"] == 2, result
    assert sorted(a["started_at"][11:16] for a in activities_of(tenant)) == ["10:00", "10:10"]
    status = status_of(tenant)
    [failing] = status.failing
    assert (failing.part, failing.attempts, failing.parked) == ("call", 1, False)
    sent = bad.get("call_start_time", "2026-11-20 10:05:00")
    assert failing.started_at == str(json.loads(sent.text) if isinstance(sent, Raw) else sent)[:40]
    assert failing.problem.startswith("unreadable: ")
    assert len(status.errors) == 1 and "tried again later" in status.errors[0], status.errors
    assert status.last_success_at == status.last_run_at  # the run itself succeeded


@pytest.mark.parametrize("element", [None, "a string", 42, ["a", "list"]], ids=["null", "string", "number", "list"])
def test_one_element_that_is_not_a_call_is_skipped_not_the_page(tenant, configure_ringcloud, fake, element):
    add_call(fake, start="2026-11-20 10:00:00")
    fake.calls.append(element)
    add_call(fake, start="2026-11-20 10:10:00")
    configure_ringcloud(tenant)

    run_import()

    assert len(activities_of(tenant)) == 2
    [error] = status_of(tenant).errors
    assert error == f"element 1 of RingCloud's call list is not an object ({type(element).__name__})"


def test_only_users_with_a_short_text_extension_and_name_are_kept(tenant, configure_ringcloud, fake):
    # Given RingCloud listing, beside two real users (one with a numeric extension), users that are not such a pair
    good = [{"num": "101", "user": "olena101"}, {"num": 105, "user": " petro105 "}, {"num": "7", "user": "x"}]
    odd = [
        {"num": "", "user": "empty"},
        {"num": "106", "user": "   "},
        {"num": True, "user": "a-boolean"},
        {"num": "107", "user": None},
        {"num": ["108"], "user": "a-list"},
        {"num": "109", "user": "u" * 65},
        {"num": "1" * 65, "user": "long-extension"},
        {"num": "110", "user": "u" * 64},
        "not an object",
    ]
    fake.users = [*good, *odd]
    add_call(fake)  # the users are read with the first call to import
    configure_ringcloud(tenant)

    run_import()

    # Then only the pairs a click-to-call can send back are kept, trimmed, up to 64 characters each
    assert status_of(tenant).users == {"101": "olena101", "105": "petro105", "7": "x", "110": "u" * 64}


@pytest.mark.parametrize("path", [COMPLETE, "/v1/users"])
@pytest.mark.parametrize("data", [{"0": {"num": "101"}}, "calls", 42], ids=["object", "string", "number"])
def test_a_list_that_is_not_a_list_is_recorded_and_nothing_imported(tenant, configure_ringcloud, fake, path, data):
    add_call(fake)
    configure_ringcloud(tenant)
    fake.plan(path, Body({"status": "success", "message": "", "data": data}))

    run_import()

    assert activities_of(tenant) == []
    assert status_of(tenant).errors == [f"RingCloud's {path} data is not a list"]


@pytest.mark.parametrize(("days", "asked"), [({"days": 3}, "3"), ({}, "1")], ids=["configured", "by-default"])
def test_the_import_asks_for_the_days_the_account_configured(tenant, configure_ringcloud, fake, days, asked):
    configure_ringcloud(tenant, **days)

    run_import()

    assert [request.query for request in fake.served(COMPLETE)] == [{"days": asked}]


def test_text_past_its_fields_limit_is_cut_with_a_marker_and_the_call_imported(tenant, configure_ringcloud, fake):
    # Given numbers past 64 characters and a disposition of 500 KB (more than an item may hold)
    long_src, long_dst = "3" * 65, "4" * 100
    add_call(fake, src=long_src, dst=long_dst, disposition="BUSY" * 125_000)
    configure_ringcloud(tenant)

    run_import()

    # Then the call is imported, each text cut to its limit, the cut marked
    [activity] = activities_of(tenant)
    assert activity["caller_number"] == long_src[:63] + "…"
    assert activity["called_number"] == long_dst[:63] + "…"
    assert activity["disposition"] == ("BUSY" * 50)[:199] + "…"
    assert status_of(tenant).errors == []


def test_a_call_that_keeps_failing_backs_off_and_is_parked_after_five_runs(
    tenant, configure_ringcloud, fake, fake_clock, capsys, monkeypatch
):
    # Given an unreadable call, and runs (publishing their metrics) 10 s before each retry is due (RingCloud's
    # 5 s spacing between two requests for the call list must not move a run's time), when it is due, and later
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    add_unreadable_call(fake, "2026-11-20 10:00:00")
    configure_ringcloud(tenant)
    run_at = [0, *(t for minute in (5, 15, 35, 75) for t in (minute * 60 - 10, minute * 60)), 200 * 60]
    attempts, parked, now = [], [], 0
    for second in run_at:
        fake_clock.advance(second - now)
        now = second
        result = run_import()
        attempts.append(status_of(tenant).failing[0].attempts)
        parked.append(result["accounts"][0]["calls_parked"])

    # Then it was tried at 0, 5, 15, 35 and 75 minutes (waits of 5, 10, 20, 40), not sooner, then parked
    assert attempts == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    status = status_of(tenant)
    [entry] = status.failing
    assert entry.attempts == ringcloud_failures.MAX_ATTEMPTS and entry.parked and entry.next_attempt_at is None
    # ... counted once, by the run that parked it, in its result and in the CallsParked metric
    assert parked == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert sum(value for _, value in published(capsys)["CallsParked"]) == 1
    # ... and a parked call says nothing more in the runs after
    assert status.errors == []


def test_a_call_waiting_for_its_retry_holds_back_none_of_the_calls_after_it(
    tenant, configure_ringcloud, fake, fake_clock
):
    # Given an unreadable call, failed by a first run and waiting for its retry
    add_unreadable_call(fake, "2026-11-20 10:00:00")
    configure_ringcloud(tenant)
    run_import()

    # When a call after it in RingCloud's list comes in, and the next run comes before the retry is due
    add_call(fake, start="2026-11-20 10:10:00")
    fake_clock.advance(60)
    run_import()

    # Then that call is imported; the waiting one was not tried again
    assert [a["started_at"] for a in activities_of(tenant)] == ["2026-11-20T10:10:00.000Z"]
    assert status_of(tenant).failing[0].attempts == 1


def test_each_failed_call_counts_in_its_runs_result_and_is_named_in_the_status(
    tenant, configure_ringcloud, fake, fake_clock
):
    # Given two unreadable calls, and runs when their retries are due, up to the run that parks them
    starts = ("2026-11-20 10:00:00", "2026-11-20 10:05:00")
    for start in starts:
        add_unreadable_call(fake, start)
    configure_ringcloud(tenant)
    counted, errors, now = [], [], 0
    for second in (0, 5 * 60, 15 * 60, 35 * 60, 75 * 60):
        fake_clock.advance(second - now)
        now = second
        account = run_import()["accounts"][0]
        counted.append((account["calls_failed"], account["calls_parked"]))
        errors.append(status_of(tenant).errors)

    # Then each run counts both, the last parks both, and the status names each call and what became of it
    assert counted == [(2, 0)] * 4 + [(2, 2)]
    assert errors[0] == [f"the call at {start} was skipped ({UNREADABLE}); tried again later" for start in starts]
    assert errors[-1] == [
        f"the call at {start} was skipped ({UNREADABLE}); parked: it failed too often" for start in starts
    ]


def test_a_recording_another_run_stored_meanwhile_is_not_fetched_again(
    tenant, configure_ringcloud, fake, fake_clock, monkeypatch
):
    # Given a call with a recording, and a second run (a schedule's event delivered twice) that imports it whole
    # right after this run read which of its calls were imported already
    add_call(fake, rec_file="/v1/users/olena101/records/twice.wav", audio=tone(0.2))
    configure_ringcloud(tenant)
    existing_calls = ringcloud_dal.existing_calls

    def then_the_other_run(account_id: str, call_ids: list[str]) -> dict:
        found = existing_calls(account_id, call_ids)
        monkeypatch.setattr(ringcloud_dal, "existing_calls", existing_calls)
        fake_clock.advance(60)  # past RingCloud's spacing of the call list
        ringcloud_import.import_all(Budget(100))
        return found

    monkeypatch.setattr(ringcloud_dal, "existing_calls", then_the_other_run)

    # When this run goes on
    ringcloud_import.import_all(Budget(100))

    # Then the recording was downloaded once, by the other run, and the call is one activity with it
    assert len(fake.served("/v1/users/olena101/records/twice.wav")) == 1
    [activity] = activities_of(tenant)
    assert activity["recording"] is not None


def test_a_runs_status_keeps_its_first_errors_up_to_the_limit(tenant, configure_ringcloud, fake):
    # Given one unreadable call more than the status keeps the errors of
    starts = [f"2026-11-20 10:{minute:02d}:00" for minute in range(MAX_ERRORS_KEPT + 1)]
    for start in starts:
        add_unreadable_call(fake, start)
    configure_ringcloud(tenant)

    # When the import runs
    account = run_import()["accounts"][0]

    # Then every failed call is counted, and the status names the first ones, up to its limit
    assert account["calls_failed"] == MAX_ERRORS_KEPT + 1
    kept = [f"the call at {start} was skipped ({UNREADABLE}); tried again later" for start in starts[:MAX_ERRORS_KEPT]]
    assert status_of(tenant).errors == kept


def test_a_failed_call_is_forgotten_once_it_leaves_the_window_and_a_success_clears_it(
    tenant, configure_ringcloud, fake, fake_clock
):
    # Given a recording that fails once, and an unreadable call
    add_call(fake, rec_file="/v1/users/olena101/records/w.wav", audio=tone(0.2), start="2026-11-20 10:00:00")
    unreadable = add_call(fake, start="2026-11-20 11:00:00", end="2026-11-20 11:01:00", duration="long")
    configure_ringcloud(tenant)
    fake.plan("/v1/users/olena101/records/w.wav", Fail(500))
    run_import()
    assert sorted(entry.part for entry in status_of(tenant).failing) == ["call", "recording"]

    # When the recording succeeds later, and the unreadable call leaves RingCloud's window
    fake_clock.advance(300)
    fake.calls.remove(unreadable)
    run_import()

    # Then nothing is failing any more
    status = status_of(tenant)
    assert status.failing == [] and status.recordings_stored == 1


def test_a_slow_recording_is_cut_at_the_runs_time_and_the_next_account_still_runs(tenant, configure_ringcloud, fake):
    # Given two accounts (with keys of their own); the recording drips a byte every 50 ms (3 minutes whole)
    other = make_tenant()
    add_call(fake, rec_file="/v1/users/olena101/records/slow.wav", audio=tone(0.2), start="2026-11-20 10:00:00")
    fake.add_key("4242_other", "other-password")
    configure_ringcloud(tenant)
    configure_ringcloud(other, api_key="4242_other", password="other-password")
    fake.plan("/v1/users/olena101/records/slow.wav", Fail(drip=0.05), Fail(drip=0.05))

    # When a run has 3 s, the least a recording is fetched with (the clock only moves when told: only the
    # download's own deadline ends it)
    result = ringcloud_import.import_all(Budget(3))

    # Then each download ended within the run's time less a second to record the outcome, and each
    # account recorded its run (the call imported, the recording to be tried again later)
    assert [a.account_id for a in result.accounts] == sorted([tenant.account_id, other.account_id])
    for account in (tenant, other):
        status = status_of(account)
        assert status.last_run_at is not None and status.calls_imported == 1
        [entry] = status.failing
        assert entry.part == "recording" and entry.problem == "took longer than 2 s to download"


@pytest.mark.parametrize(("left", "fetched"), [(3.0, True), (2.999, False)], ids=["exactly-enough", "less"])
def test_a_recording_is_fetched_only_with_its_minimum_time_left(
    tenant, configure_ringcloud, fake, fake_clock, monkeypatch, left, fetched
):
    # Given a call whose activity is written when the run has `left` seconds: 3 s is the least a recording
    # needs (2 s to download it, and 1 s to record the run's outcome); the fake clock's seconds are exact
    add_call(fake, rec_file="/v1/users/olena101/records/w.wav", audio=tone(0.2), start="2026-11-20 10:00:00")
    configure_ringcloud(tenant)
    budget = Budget(100)
    after_each_write(monkeypatch, lambda: fake_clock.advance(budget.remaining() - left))

    ringcloud_import.import_all(budget)

    # Then with enough time the recording is stored; with less the run stops at that call, to go on from it
    status = status_of(tenant)
    assert (status.calls_imported, status.recordings_stored, status.failing) == (1, int(fetched), [])
    assert (status.stopped_early, status.stopped_at) == (
        (False, None) if fetched else (True, "2026-11-20T10:00:00.000Z")
    )


@pytest.mark.parametrize("length", [ringcloud_import.REC_FILE_LIMIT, ringcloud_import.REC_FILE_LIMIT + 1])
def test_a_rec_file_longer_than_its_limit_is_not_fetched(tenant, configure_ringcloud, fake, length):
    prefix = "/v1/users/olena101/records/"
    rec_file = prefix + "w" * (length - len(prefix) - len(".wav")) + ".wav"
    add_call(fake, rec_file=rec_file, audio=tone(0.2))
    configure_ringcloud(tenant)

    run_import()

    status = status_of(tenant)
    if length <= ringcloud_import.REC_FILE_LIMIT:
        assert status.recordings_stored == 1 and status.failing == []
    else:
        [entry] = status.failing
        assert (entry.part, entry.problem) == ("recording", "its rec_file is longer than 2048 characters")
        assert status.recordings_stored == 0 and fake.served(rec_file) == []


def test_each_stored_recording_counts_in_the_status(tenant, configure_ringcloud, fake):
    for minute in (0, 5):
        add_call(
            fake,
            rec_file=f"/v1/users/olena101/records/{minute}.wav",
            audio=tone(0.2),
            start=f"2026-11-20 10:0{minute}:00",
        )
    configure_ringcloud(tenant)

    run_import()

    status = status_of(tenant)
    assert (status.calls_imported, status.recordings_stored, status.recordings_stored_total) == (2, 2, 2)


def test_a_runs_error_is_kept_to_its_limit_with_the_cut_marked(tenant, configure_ringcloud, fake, caplog):
    # Given a stored configuration whose time zone no longer reads, a thousand characters long
    configure_ringcloud(tenant)
    zone = "Mars/" + "x" * 1000
    store_as_is(tenant.account_id, ringcloud_dal.CONFIG_SK, "timezone", {"S": zone})

    run_import()

    # As stored (`ringcloud-status` validates the configuration, which no longer reads)
    [error] = ringcloud_dal.get_config_and_status(tenant.account_id)[1]["errors"]
    whole = (
        f"the run of this account failed: timezone: Value error, {zone!r} is not an IANA time zone (e.g. Europe/Kyiv)"
    )
    assert error == whole[: 2 * ringcloud_failures.PROBLEM_LIMIT - 1] + "…"
    # ... and the function's log says it, as kept, in one warning an operator can search for
    [warning] = [r for r in caplog.records if r.getMessage() == "RingCloud import problem"]
    assert (warning.levelname, warning.account_id, warning.error) == ("WARNING", tenant.account_id, error)


def test_each_run_publishes_the_documented_metrics_and_logs_each_accounts_outcome(
    tenant, other_tenant, configure_ringcloud, fake, fake_clock, monkeypatch, capsys, caplog
):
    # Given two accounts seeing a call with its recording and an unreadable call, the second (in the
    # registry's order) whose run's outcome DynamoDB refuses to write (the runs' metrics printed as EMF)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    add_call(fake, start="2026-11-20 10:00:00", rec_file="/v1/users/olena101/records/m.wav", audio=tone(0.2))
    add_unreadable_call(fake, "2026-11-20 10:05:00")
    first, second = sorted([tenant.account_id, other_tenant.account_id])
    configure_ringcloud(tenant)
    configure_ringcloud(other_tenant)
    refused = table.key(table.account_pk(second), ringcloud_dal.STATUS_SK)

    def refuse_its_outcome(params, **_) -> None:
        if params["Key"] == refused and "#last_run_at" in params["ExpressionAttributeNames"]:
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "planned"}}, "UpdateItem")

    capsys.readouterr()
    started = fake_clock.monotonic()

    # When the schedule runs
    with dynamodb_hook("before-parameter-build.dynamodb.UpdateItem", refuse_its_outcome):
        run_import()

    # Then the run published what the docs name (docs/ringcloud.md), counting both accounts
    metrics = published(capsys)
    assert metrics["CallsImported"] == [("Count", 2)]
    assert metrics["RecordingsStored"] == [("Count", 1), ("Count", 1)]  # once each: CloudWatch's Sum is 2
    assert metrics["CallsFailed"] == [("Count", 2)]
    assert metrics["CallsParked"] == [("Count", 0)]
    assert metrics["RingcloudErrors"] == [("Count", 2)]
    assert metrics["RunDuration"] == [("Milliseconds", (fake_clock.monotonic() - started) * 1000)]
    # ... the first account is logged done, with its counts; the second failed, naming DynamoDB's refusal
    [done, failed] = [r for r in caplog.records if r.getMessage().startswith("RingCloud import of")]
    assert (done.levelname, done.getMessage()) == ("INFO", "RingCloud import of an account done")
    assert (done.account_id, done.calls_imported, done.recordings_stored, done.errors) == (first, 1, 1, 1)
    assert (failed.levelname, failed.getMessage()) == ("ERROR", "RingCloud import of an account failed")
    assert (failed.account_id, failed.error) == (second, "DynamoDB or S3 refused a write (ValidationException)")


def test_a_warm_functions_runs_with_metrics_off_leave_nothing_for_a_later_run(
    tenant, configure_ringcloud, fake, fake_clock, monkeypatch, capsys
):
    # Given two runs of a warm function with metrics turned off, as the local stack runs it
    add_call(fake)
    configure_ringcloud(tenant)
    run_import()
    fake_clock.advance(300)
    run_import()

    # When metrics are on for the next run
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    fake_clock.advance(300)
    capsys.readouterr()
    run_import()

    # Then it publishes its own metrics only, none kept from the runs before
    assert published(capsys)["CallsImported"] == [("Count", 0)]


def test_a_failure_inside_one_accounts_run_is_recorded_and_the_next_account_runs(tenant, configure_ringcloud, fake):
    # Given two accounts, the first (in the registry's order) deleted while still configured
    other = make_tenant()
    first, second = sorted([tenant, other], key=lambda t: t.account_id)
    add_call(fake)
    configure_ringcloud(first)
    configure_ringcloud(second)
    aws.dynamodb().delete_item(TableName=table.name(), Key=table.key(table.account_pk(first.account_id), "ACCOUNT"))

    # When the schedule runs
    try:
        result = run_import()
        _, status = ringcloud_dal.get_config_and_status(first.account_id)
    finally:  # the fixture's removal needs the account: later runs must not meet this one
        ringcloud_dal.delete_config(first.account_id)

    # Then the first account's status says its run failed, and why; the second account imported
    [broken, working] = result["accounts"]
    assert broken["account_id"] == first.account_id
    assert broken["errors"] == ["the run of this account failed: no such account"]
    assert status is not None and status["last_run_at"] and "last_success_at" not in status
    assert status["errors"] == broken["errors"]
    assert working["calls_imported"] == 1 and len(activities_of(second)) == 1


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        # a time zone the runtime's tz database no longer has
        ({"timezone": {"S": "Mars/Olympus"}}, "timezone: Value error, 'Mars/Olympus' is not an IANA time zone"),
        ({"allowed_countries": {"L": [{"N": "1"}]}}, "allowed_countries.0: Input should be a valid string"),
    ],
    ids=["unknown-zone", "country-not-text"],
)
def test_a_stored_configuration_that_no_longer_reads_is_recorded_naming_the_field(
    tenant, configure_ringcloud, fake, stored, problem
):
    add_call(fake)
    configure_ringcloud(tenant)
    [(name, value)] = stored.items()
    store_as_is(tenant.account_id, ringcloud_dal.CONFIG_SK, name, value)

    [account] = run_import()["accounts"]

    assert account["errors"][0].startswith(f"the run of this account failed: {problem}"), account["errors"]
    assert len(account["errors"]) == 1 and account["calls_imported"] == 0 and activities_of(tenant) == []


def test_accounts_run_least_recently_run_first_so_none_is_starved(
    tenant, configure_ringcloud, fake, fake_clock, monkeypatch
):
    # Given two accounts with calls, and writes that "take" a minute each
    other = make_tenant()
    for hour in (10, 11, 12):
        add_call(fake, start=f"2026-11-20 {hour}:00:00")
    configure_ringcloud(tenant)
    configure_ringcloud(other)
    after_each_write(monkeypatch, lambda: fake_clock.advance(60))
    first, second = sorted([tenant.account_id, other.account_id])

    # When a run has time for about two calls, and so does the next
    one = ringcloud_import.import_all(Budget(100))
    fake_clock.advance(300)
    two = ringcloud_import.import_all(Budget(100))

    # Then the first run never reached the second account; the next run started with it
    assert [a.account_id for a in one.accounts] == [first] and one.stopped_early
    assert two.accounts[0].account_id == second
    assert two.accounts[0].calls_imported == 2


def test_the_clients_request_timeouts_never_exceed_the_time_the_run_has_left(
    tenant, configure_ringcloud, fake, monkeypatch
):
    # Given a run with 4 s left, and every request RingCloud's client makes watched
    add_call(fake, rec_file="/v1/users/olena101/records/t.wav", audio=tone(0.2))
    configure_ringcloud(tenant)
    budget = Budget(4)
    seen: list[tuple[float, float, float]] = []  # (connect timeout, read timeout, time left)
    request = requests.Session.request

    def watched(self, method, url, **kwargs):
        connect, read = kwargs["timeout"]
        seen.append((connect, read, budget.remaining()))
        return request(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", watched)

    # When the run imports the account (the client's own timeout is 10 s)
    ringcloud_import.import_all(budget)

    # Then every request, RingCloud's API and the recording's download, waited at most the time left
    assert len(seen) >= 3
    assert all(connect <= left and read <= left for connect, read, left in seen), seen


THROTTLED = ClientError({"Error": {"Code": "ThrottlingException", "Message": "planned"}}, "TransactWriteItems")
OVER_CAPACITY = ClientError(
    {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "planned"}}, "TransactWriteItems"
)
TIMED_OUT = ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")


def refusing_writes(error: Exception):
    """DynamoDB answering every activity write (TransactWriteItems) with ``error``."""

    def refuse(**_) -> None:
        raise error

    return dynamodb_hook("before-call.dynamodb.TransactWriteItems", refuse)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (THROTTLED, "DynamoDB or S3 refused a write (ThrottlingException)"),
        (OVER_CAPACITY, "DynamoDB or S3 refused a write (ProvisionedThroughputExceededException)"),
        (TIMED_OUT, "an unexpected ReadTimeoutError"),
    ],
    ids=["throttled", "over-capacity", "no-answer"],
)
def test_a_dynamodb_outage_stops_the_accounts_run_without_counting_it_against_any_call(
    tenant, configure_ringcloud, fake, error, reason
):
    # Given two calls, and DynamoDB throttling every write while the run lasts
    add_call(fake, start="2026-11-20 10:00:00")
    add_call(fake, start="2026-11-20 10:10:00")
    configure_ringcloud(tenant)

    with refusing_writes(error):
        result = run_import()

    # Then the run of the account stopped at the first write, saying why; no call is failing or parked
    [account] = result["accounts"]
    assert account["calls_failed"] == 0
    status = status_of(tenant)
    assert status.errors == [f"the run of this account failed: {reason}"]
    assert status.failing == []

    # ... and once DynamoDB is back, the next run imports both
    run_import()
    assert len(activities_of(tenant)) == 2


def test_a_write_refused_for_one_call_counts_against_that_call_and_the_next_call_is_imported(
    tenant, configure_ringcloud, fake
):
    # Given two calls, and DynamoDB refusing the first call's write for itself (not an outage)
    add_call(fake, start="2026-11-20 10:00:00")
    add_call(fake, start="2026-11-20 10:10:00")
    configure_ringcloud(tenant)
    refused = []

    def refuse_the_first(**_) -> None:
        if not refused:
            refused.append(True)
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "planned"}}, "TransactWriteItems")

    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", refuse_the_first):
        result = run_import()

    # Then that call is failing (to be tried again), and the other one was imported in the same run
    assert result["accounts"][0]["calls_failed"] == 1
    assert len(activities_of(tenant)) == 1
    [entry] = status_of(tenant).failing
    assert (entry.part, entry.problem) == ("call", "DynamoDB or S3 refused a write (ValidationException)")
