"""Recording retention (issue 25, part 4): a recording older than its account's retention is deleted, every
version of it, its activity keeps ``recording_deleted_at``, and fetching it answers 410."""

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ringbridge import aws, clock, settings
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import recording_objects, table
from ringbridge.dal import recording_retention as retention_dal
from ringbridge.errors import Conflict, InvalidInput
from ringbridge.logic import account_export, recording_retention
from ringbridge.logic.allowance import Allowance
from ringbridge.models.recording_retention import MAX_KEPT_NAMED
from ringbridge_tools import cli
from tests.support.api import call
from tests.support.dynamodb import dynamodb_hook
from tests.support.tenants import Tenant, make_tenant

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
DAY = 86400


def use_new_bucket(patch: pytest.MonkeyPatch, **options: Any) -> str:
    """A new recordings bucket, versioned as the deployed one is (the local stack's is not), used from now on;
    ``options`` go to CreateBucket (``ObjectLockEnabledForBucket``, which versions the bucket itself)."""
    name = f"ringbridge-retention-{uuid.uuid4().hex[:8]}"
    aws.s3().create_bucket(Bucket=name, **options)
    aws.s3().put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    patch.setenv("RECORDINGS_BUCKET", name)
    settings.reload()
    return name


@pytest.fixture(scope="module", autouse=True)
def versioned_bucket():
    """A bucket of the module's own: the sweep must remove previous versions too, and sees only this module's
    accounts."""
    with pytest.MonkeyPatch.context() as patch:
        yield use_new_bucket(patch)
    settings.reload()


@pytest.fixture(autouse=True)
def no_leftover_sweep_position():
    """A run stopped by a test would make the next test's first run start after its accounts."""
    yield
    aws.dynamodb().delete_item(TableName=table.name(), Key=table.key("RETENTION#SWEEP", "ACCOUNTS"))


def upload(tenant: Tenant, activity_id: str):
    path = f"/ringotel/activities/{activity_id}/recording"
    return call("PUT", path, tenant.rw_token, body=AUDIO, headers={"content-type": "audio/wav"})


def new_call(tenant: Tenant) -> str:
    """A call with a recording uploaded now (the manual clock's now): its activity id."""
    body = {"call_id": f"ret-{uuid.uuid4().hex}", "direction": "inbound"}
    created = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    assert created.status == 201, created.body
    assert upload(tenant, created.body["id"]).status == 200
    return created.body["id"]


def fetch(tenant: Tenant, activity_id: str):
    return call("GET", f"/ringotel/activities/{activity_id}/recording", tenant.ro_token)


def versions_under(tenant: Tenant, activity_id: str) -> list[str]:
    """Every version and delete marker left under the activity's prefix."""
    prefix = recording_objects.activity_prefix(tenant.account_id, activity_id)
    answer = aws.s3().list_object_versions(Bucket=settings.current().recordings_bucket, Prefix=prefix)
    return [entry["Key"] for entry in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]]


def test_a_recording_is_kept_for_exactly_the_retention_and_deleted_with_every_version_after(tenant, monkeypatch):
    monkeypatch.setenv("RECORDING_RETENTION_DAYS", "30")
    settings.reload()
    with clock.manual() as time:
        # Given a call whose recording was replaced once (a previous version and a delete marker are left)
        activity_id = new_call(tenant)
        read_before = activities_dal.get_activity(tenant.account_id, activity_id)
        assert upload(tenant, activity_id).status == 200
        assert len(versions_under(tenant, activity_id)) == 3
        replaced = activities_dal.get_activity(tenant.account_id, activity_id)

        # When the sweep runs when the recording is exactly 30 days old, and again a second later
        time.advance(30 * DAY)
        on_the_day = recording_retention.sweep_account(tenant.account_id)
        fetched_on_the_day = fetch(tenant, activity_id)
        time.advance(1)
        fetched_before_the_sweep = fetch(tenant, activity_id)
        after = recording_retention.sweep_account(tenant.account_id)

        # Then on the day it is kept; a second past it, it answers 410 already, and the sweep deletes it
        assert (on_the_day.recordings_deleted, fetched_on_the_day.status) == (0, 200)
        assert (fetched_before_the_sweep.status, fetched_before_the_sweep.body["error"]) == (
            410,
            {
                "code": "gone",
                "message": "is older than the account's retention of 30 days: it is deleted",
                "field": "recording",
            },
        )
        assert (after.complete, after.recordings_deleted, after.recording_objects_deleted) == (True, 1, 3)
        assert versions_under(tenant, activity_id) == []
        # the activity and its call copy keep when, and no longer name the recording
        activity = activities_dal.get_activity(tenant.account_id, activity_id)
        copy = activities_dal.get_by_call(tenant.account_id, activity["call_id"])
        assert activity == copy
        assert "recording" not in activity and activity["recording_deleted_at"] == clock.now_iso()
        assert activity["version"] == replaced["version"] + 1  # one change: ETags and feeds see one version
        # the route answers 410 naming why; a new recording for that call is refused the same way
        gone = fetch(tenant, activity_id)
        assert (gone.status, gone.body["error"]) == (
            410,
            {
                "code": "gone",
                "message": f"was deleted at {clock.now_iso()}: it was older than the account's retention",
                "field": "recording",
            },
        )
        assert upload(tenant, activity_id).status == 410
        ring = call("GET", f"/ringio/rings/{activity_id}", tenant.ro_token)
        assert ring.body["ring"]["call_recording"] is None
        # the sweep's change is a new version: an update over a version read before it is refused
        stale = {"version": read_before["version"], "comment": "late"}
        assert call("PUT", f"/ringotel/activities/{activity_id}", tenant.rw_token, json_body=stale).status == 409


def test_an_account_may_only_shorten_the_retention(tenant, monkeypatch, capsys):
    monkeypatch.setenv("RECORDING_RETENTION_DAYS", "30")
    settings.reload()

    def set_days(*days: str) -> int:
        return cli.main(["admin", "--table", table.name(), "set-recording-retention", tenant.account_id, *days])

    # A day more than the deployment's is refused, naming the argument; the deployment's own is taken
    longer = "is longer than the deployment's RecordingRetentionDays (30): an account's retention may only shorten it"
    with pytest.raises(InvalidInput) as refused:
        recording_retention.set_account_days(tenant.account_id, 31)
    assert (refused.value.message, refused.value.field) == (longer, "days")
    assert set_days("31") == 1
    assert capsys.readouterr().err == f"error: {longer} (DAYS)\n"
    assert set_days("30") == 0
    assert json.loads(capsys.readouterr().out)["effective_days"] == 30
    assert set_days("20") == 0
    assert json.loads(capsys.readouterr().out) == {
        "account_id": tenant.account_id,
        "account_days": 20,
        "deployment_days": 30,
        "effective_days": 20,
    }
    assert set_days("--clear") == 0
    assert json.loads(capsys.readouterr().out) == {
        "account_id": tenant.account_id,
        "account_days": None,
        "deployment_days": 30,
        "effective_days": 30,
    }


def test_the_scheduled_sweep_applies_an_accounts_retention_and_leaves_other_accounts(tenant, other_tenant, monkeypatch):
    with clock.manual() as time:
        # Given two accounts with a recording of the same age, one of them keeping recordings 7 days
        mine, theirs = new_call(tenant), new_call(other_tenant)
        recording_retention.set_account_days(tenant.account_id, 7)

        # When 7 days and a second have passed, and the scheduled sweep runs
        time.advance(7 * DAY + 1)
        before_the_sweep = fetch(tenant, mine)
        run = recording_retention.sweep_accounts(Allowance())

        # Then the account's recording answered 410 already, and is deleted; the other account's is untouched
        assert before_the_sweep.status == 410
        swept = [sweep for sweep in run.accounts if sweep.account_id == tenant.account_id]
        assert run.complete and [(sweep.retention_days, sweep.recordings_deleted) for sweep in swept] == [(7, 1)]
        assert other_tenant.account_id not in {sweep.account_id for sweep in run.accounts}
        assert versions_under(tenant, mine) == [] and fetch(tenant, mine).status == 410
        assert len(versions_under(other_tenant, theirs)) == 1 and fetch(other_tenant, theirs).status == 200


def test_a_sweep_stopped_part_way_is_finished_by_the_next_run(tenant):
    with clock.manual() as time:
        # Given an account keeping recordings a day, with three calls recorded two days ago
        calls = [new_call(tenant) for _ in range(3)]
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)

        # When a run may delete only two, and the next runs without a limit
        first = recording_retention.sweep_accounts(Allowance(max_steps=2))
        second = recording_retention.sweep_accounts(Allowance())

        # Then the first stops after two, the second deletes the third (from where the first got) and finishes
        def deleted(run) -> list[int]:
            return [sweep.recordings_deleted for sweep in run.accounts if sweep.account_id == tenant.account_id]

        assert (first.complete, deleted(first)) == (False, [2])
        assert (second.complete, deleted(second)) == (True, [1])
        assert [fetch(tenant, activity_id).status for activity_id in calls] == [410, 410, 410]
        assert all(versions_under(tenant, activity_id) == [] for activity_id in calls)


def test_an_export_leaves_out_a_recording_past_the_retention_that_the_bucket_removed_first(tenant, tmp_path):
    with clock.manual() as time:
        # Given an account keeping recordings a day, whose two-day-old recording the bucket's rule removed
        # before any sweep (its current version deleted: a delete marker on top of it)
        activity_id = new_call(tenant)
        recording_retention.set_account_days(tenant.account_id, 1)
        key = activities_dal.get_activity(tenant.account_id, activity_id)["recording"]["key"]
        aws.s3().delete_object(Bucket=settings.current().recordings_bucket, Key=key)
        time.advance(2 * DAY)

        # When the account is exported
        done = account_export.export_account(tenant.account_id, tmp_path / "export")

    # Then the export completes, and the call is in it without a recording
    assert done.complete and done.recordings == 0
    lines = [json.loads(line) for line in (tmp_path / "export" / "activities.jsonl").read_text().splitlines()]
    assert [(line["id"], "recording" in line) for line in lines] == [(activity_id, False)]


def test_an_accounts_retention_is_from_1_day_to_a_hundred_years(tenant):
    for days in (0, recording_retention.MAX_DAYS + 1):
        with pytest.raises(InvalidInput) as refused:
            recording_retention.set_account_days(tenant.account_id, days)
        assert (refused.value.message, refused.value.field) == ("must be from 1 to 36500 days", "days")
    for days in (1, recording_retention.MAX_DAYS):
        assert recording_retention.set_account_days(tenant.account_id, days).effective_days == days


def test_the_command_refuses_more_than_a_hundred_years_naming_the_argument(tenant, capsys):
    command = ["admin", "--table", table.name(), "set-recording-retention", tenant.account_id, "36501"]
    assert cli.main(command) == 1
    assert capsys.readouterr().err == "error: must be from 1 to 36500 days (DAYS)\n"


def sweep_recordings(tenant: Tenant, *options: str) -> int:
    """``ringbridge admin sweep-recordings`` for the tenant's account."""
    targets = ["--table", table.name()]
    bucket = ["--bucket", settings.current().recordings_bucket]
    return cli.main(["admin", *targets, "sweep-recordings", tenant.account_id, *bucket, *options])


def test_the_command_sweeps_an_accounts_own_retention_and_counts_every_object_it_deleted(tenant, capsys):
    with clock.manual() as time:
        # Given an account keeping recordings a day (the deployment keeps them for ever), with two calls
        # recorded two days ago, one of them recorded twice (two versions and a delete marker)
        calls = [new_call(tenant), new_call(tenant)]
        assert upload(tenant, calls[1]).status == 200
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)

        # When the operator sweeps it
        assert sweep_recordings(tenant) == 0

    # Then both are deleted, and the outcome counts the four objects removed; the sweep is finished
    printed = capsys.readouterr()
    assert json.loads(printed.out) == {
        "account_id": tenant.account_id,
        "retention_days": 1,
        "complete": True,
        "recordings_deleted": 2,
        "recording_objects_deleted": 4,
        "recordings_kept": 0,
        "kept": [],
    }
    assert printed.err == ""
    assert [fetch(tenant, activity_id).status for activity_id in calls] == [410, 410]


def test_the_command_on_an_account_that_keeps_recordings_for_ever_is_finished_at_once(tenant, capsys):
    with clock.manual() as time:
        activity_id = new_call(tenant)
        time.advance(3650 * DAY)
        assert sweep_recordings(tenant) == 0

    printed = capsys.readouterr()
    assert json.loads(printed.out)["complete"] is True and printed.err == ""  # no "run again"
    assert fetch(tenant, activity_id).status == 200


@contextmanager
def activities_read(page_size: int | None = None) -> Iterator[list[int]]:
    """How many activities each Query of the block read (its ScannedCount: what a Query costs, the filter
    applying after the read). With ``page_size``, DynamoDB ends each page after that many activities, as
    its 1 MB pages do for an account with many activities."""
    scanned: list[int] = []

    def paged(params: dict[str, Any], **_: Any) -> None:
        if page_size is not None:
            params["Limit"] = page_size

    def count(parsed: dict[str, Any], **_: Any) -> None:
        scanned.append(parsed["ScannedCount"])

    with (
        dynamodb_hook("before-parameter-build.dynamodb.Query", paged),
        dynamodb_hook("after-call.dynamodb.Query", count),
    ):
        yield scanned


@pytest.mark.parametrize(
    ("page_size", "first_run_steps"),
    [(None, 2), (1, 1)],
    ids=["stopped-within-a-page", "stopped-between-pages"],
)
def test_a_stopped_sweep_goes_on_from_where_it_got_without_reading_the_done_activities_again(
    tenant, page_size, first_run_steps
):
    with clock.manual() as time:
        # Given an account keeping recordings a day, with three calls recorded two days ago
        calls = [new_call(tenant) for _ in range(3)]
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)

        # When a run stops after some, and the command is run again, and once more after the pass is done
        with activities_read(page_size):
            first = recording_retention.sweep_account(tenant.account_id, Allowance(max_steps=first_run_steps))
        with activities_read(page_size) as read_by_the_second:
            second = recording_retention.sweep_account(tenant.account_id)
        with activities_read(page_size) as read_by_a_new_pass:
            recording_retention.sweep_account(tenant.account_id)

    # Then the second run reads only the activities after the last one the first got past, and finishes
    assert (first.complete, first.recordings_deleted) == (False, first_run_steps)
    assert (second.complete, second.recordings_deleted) == (True, 3 - first_run_steps)
    assert sum(read_by_the_second) == 3 - first_run_steps
    # and a new pass starts from the first activity again
    assert sum(read_by_a_new_pass) == 3
    assert [fetch(tenant, activity_id).status for activity_id in calls] == [410, 410, 410]


@pytest.fixture
def own_bucket(monkeypatch) -> None:
    """A versioned bucket of the test's own: the accounts with recordings are the test's only."""
    use_new_bucket(monkeypatch)


def test_the_scheduled_sweep_goes_on_from_the_account_after_the_last_one_it_finished(tenant, other_tenant, own_bucket):
    first_account, second_account = sorted([tenant, other_tenant], key=lambda each: each.account_id)
    with clock.manual() as time:
        # Given two accounts keeping recordings a day, each with a call recorded two days ago, the first also
        # with one recorded today (the emulator's listing after an account left with no object at all skips
        # the next object: S3's does not)
        for each in (first_account, second_account):
            new_call(each)
            recording_retention.set_account_days(each.account_id, 1)
        time.advance(2 * DAY)
        new_call(first_account)

        # When a run may delete one recording, and the next runs without a limit
        first = recording_retention.sweep_accounts(Allowance(max_steps=1))
        second = recording_retention.sweep_accounts(Allowance())

    # Then the first finishes the first account and stops in the second; the next starts at the second
    assert first.complete is False
    assert [(sweep.account_id, sweep.complete) for sweep in first.accounts] == [
        (first_account.account_id, True),
        (second_account.account_id, False),
    ]
    assert second.complete is True
    assert [(sweep.account_id, sweep.recordings_deleted) for sweep in second.accounts] == [
        (second_account.account_id, 1)
    ]


@pytest.mark.parametrize("page", [1, 2, 3])
@pytest.mark.parametrize("started_after", [None, 0], ids=["from-the-start", "after-the-first"])
def test_the_scheduled_sweep_takes_each_account_once_in_order_however_many_listings_they_need(
    own_bucket, monkeypatch, page, started_after
):
    # Given three accounts keeping recordings a day, each with a call recorded two days ago and one today (the
    # emulator's listing after an account left with no object at all skips the next object: S3's does not); the
    # bucket is listed `page` accounts at a time (1,000 deployed); an unfinished run may have finished the first
    tenants = sorted((make_tenant() for _ in range(3)), key=lambda each: each.account_id)
    with clock.manual() as time:
        for each in tenants:
            new_call(each)
            recording_retention.set_account_days(each.account_id, 1)
        time.advance(2 * DAY)
        for each in tenants:
            new_call(each)
        monkeypatch.setattr(recording_objects, "LIST_MAX_KEYS", page)
        if started_after is not None:
            retention_dal.put_accounts_after(tenants[started_after].account_id)

        # When the scheduled sweep runs
        run = recording_retention.sweep_accounts(Allowance())

    # Then it took every account after where it started, each once and in order, and finished
    left = tenants if started_after is None else tenants[started_after + 1 :]
    assert run.complete is True
    assert [(sweep.account_id, sweep.recordings_deleted) for sweep in run.accounts] == [
        (each.account_id, 1) for each in left
    ]


def legal_hold(bucket: str, version: dict[str, Any], status: str) -> None:
    """S3 Object Lock's legal hold on a version of a recording: ``ON`` keeps it from DeleteObjects, ``OFF`` lifts it."""
    aws.s3().put_object_legal_hold(
        Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"], LegalHold={"Status": status}
    )


def test_a_recording_s3_refuses_to_delete_is_kept_and_the_sweep_goes_on_past_it(
    tenant, other_tenant, monkeypatch, caplog
):
    # Given a bucket with S3 Object Lock, and two accounts with recordings past their retention: the first
    # account's older one under a legal hold
    bucket = use_new_bucket(monkeypatch, ObjectLockEnabledForBucket=True)
    first, second = sorted([tenant, other_tenant], key=lambda each: each.account_id)
    with clock.manual() as time:
        held_id = new_call(first)
        [held] = aws.s3().list_object_versions(Bucket=bucket)["Versions"]
        legal_hold(bucket, held, "ON")
        time.advance(1)
        after_id, other_id = new_call(first), new_call(second)
        for each in (first, second):
            recording_retention.set_account_days(each.account_id, 1)
        time.advance(2 * DAY)

        # When the scheduled sweep runs
        run = recording_retention.sweep_accounts(Allowance())

        # Then the held recording is kept, its activity unchanged, and the sweep named it, S3's words and all
        refusal = f"S3 did not delete {held['Key']}: Access Denied because object protected by object lock."
        [held_in, other_in] = run.accounts
        assert (held_in.recordings_kept, held_in.kept, held_in.complete) == (1, [refusal], True)
        assert versions_under(first, held_id) == [held["Key"]]
        activity = activities_dal.get_activity(first.account_id, held_id)
        assert activity["recording"]["key"] == held["Key"] and "recording_deleted_at" not in activity
        [warning] = [r for r in caplog.records if r.getMessage() == "A recording past its retention was kept"]
        assert (warning.levelname, warning.account_id, warning.error) == ("WARNING", first.account_id, refusal)
        # ... and went on: the account's next recording and the next account's are deleted
        assert run.complete and (held_in.recordings_deleted, other_in.recordings_deleted) == (1, 1)
        assert versions_under(first, after_id) == versions_under(second, other_id) == []

        # When the hold is lifted, the next sweep deletes it
        legal_hold(bucket, held, "OFF")
        again = recording_retention.sweep_account(first.account_id)

    assert (again.recordings_deleted, again.recordings_kept, again.kept) == (1, 0, [])
    assert "recording_deleted_at" in activities_dal.get_activity(first.account_id, held_id)


def test_a_sweep_names_its_first_refusals_and_counts_every_one(tenant, monkeypatch, capsys):
    # Given more recordings under a legal hold, past the retention, than a sweep's result names
    bucket = use_new_bucket(monkeypatch, ObjectLockEnabledForBucket=True)
    with clock.manual() as time:
        for _ in range(MAX_KEPT_NAMED + 1):
            new_call(tenant)
            time.advance(1)
        for version in aws.s3().list_object_versions(Bucket=bucket)["Versions"]:
            legal_hold(bucket, version, "ON")
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)

        # When the operator sweeps the account
        capsys.readouterr()
        assert sweep_recordings(tenant) == 0

    # Then every one is counted, the first ones named, and the command says so
    printed = capsys.readouterr()
    sweep = json.loads(printed.out)
    assert (sweep["recordings_kept"], len(sweep["kept"]), sweep["recordings_deleted"]) == (
        MAX_KEPT_NAMED + 1,
        MAX_KEPT_NAMED,
        0,
    )
    assert all(refusal.startswith("S3 did not delete accounts/") for refusal in sweep["kept"])
    assert (
        printed.err
        == f"Kept {MAX_KEPT_NAMED + 1} recording(s) S3 refused to delete (see kept): the next sweep tries again.\n"
    )


def test_the_sweep_reads_the_activities_strongly_consistent(tenant):
    # The emulator always reads the latest; DynamoDB would not, and the sweep writes over what it read
    with clock.manual() as time:
        new_call(tenant)
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)
        queries: list[dict[str, Any]] = []

        def record(params: dict[str, Any], **_: Any) -> None:
            queries.append(params)

        with dynamodb_hook("before-parameter-build.dynamodb.Query", record):
            assert recording_retention.sweep_account(tenant.account_id).recordings_deleted == 1

    assert [query.get("ConsistentRead") for query in queries] == [True]


@contextmanager
def meanwhile(action: Callable[[], None]) -> Iterator[None]:
    """Within the block, ``action`` runs just before each of the sweep's writes of an activity (after its
    objects are deleted): another request changing the activity between the sweep's read and its write."""
    running: list[None] = []

    def before_write(**_: Any) -> None:
        if not running:  # the action's own writes go through
            running.append(None)
            try:
                action()
            finally:
                running.clear()

    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", before_write):
        yield


def test_an_activity_updated_while_its_recording_is_deleted_is_still_marked(tenant):
    with clock.manual() as time:
        activity_id = new_call(tenant)
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)
        comments = iter(["VIP"])

        def comment() -> None:
            for text in comments:  # once
                body = {"comment": text}
                assert call("PUT", f"/ringotel/activities/{activity_id}", tenant.rw_token, json_body=body).status == 200

        with meanwhile(comment):
            sweep = recording_retention.sweep_account(tenant.account_id)

    # The write lost the race, read the activity again, found its recording still past, and marked it
    assert (sweep.complete, sweep.recordings_deleted) == (True, 1)
    activity = activities_dal.get_activity(tenant.account_id, activity_id)
    assert activity["comment"] == "VIP" and "recording" not in activity and "recording_deleted_at" in activity
    assert fetch(tenant, activity_id).status == 410


def clear_the_retention_and_upload_once(tenant: Tenant, activity_id: str) -> Callable[..., None]:
    """The first call (a hook's, with any arguments) clears the account's retention (else the upload answers
    410) and uploads a new recording of the call; later calls do nothing."""
    uploads = iter([None])

    def clear_and_upload(**hook_arguments: Any) -> None:
        for _ in uploads:  # once
            recording_retention.set_account_days(tenant.account_id, None)
            assert upload(tenant, activity_id).status == 200

    return clear_and_upload


def test_a_recording_uploaded_while_the_old_one_is_deleted_is_kept(tenant):
    with clock.manual() as time:
        activity_id = new_call(tenant)
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)
        with meanwhile(clear_the_retention_and_upload_once(tenant, activity_id)):
            sweep = recording_retention.sweep_account(tenant.account_id)

    # The write lost the race; the recording it read again is new: the activity keeps it
    assert (sweep.complete, sweep.recordings_deleted) == (True, 0)
    activity = activities_dal.get_activity(tenant.account_id, activity_id)
    assert "recording" in activity and "recording_deleted_at" not in activity
    assert fetch(tenant, activity_id).status == 200


def test_the_command_stops_when_an_activity_keeps_changing_and_says_to_sweep_again(tenant, capsys):
    with clock.manual() as time:
        activity_id = new_call(tenant)
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)

        def comment() -> None:
            body = {"comment": uuid.uuid4().hex}
            assert call("PUT", f"/ringotel/activities/{activity_id}", tenant.rw_token, json_body=body).status == 200

        with meanwhile(comment):
            assert sweep_recordings(tenant) == 1
        with meanwhile(comment), pytest.raises(Conflict) as refused:
            recording_retention.sweep_account(tenant.account_id)

    kept_changing = "an activity kept changing while its recording was deleted; sweep again"
    assert capsys.readouterr().err == f"error: {kept_changing} (ACCOUNT_ID)\n"
    assert (refused.value.message, refused.value.field) == (kept_changing, "account_id")
    assert activities_dal.get_activity(tenant.account_id, activity_id)["recording"]  # found again by the next run


def test_a_recording_uploaded_after_the_sweep_read_its_activity_is_not_deleted(tenant):
    with clock.manual() as time:
        activity_id = new_call(tenant)
        recording_retention.set_account_days(tenant.account_id, 1)
        time.advance(2 * DAY)
        # between the sweep's Query of the activity and its deletion of the objects
        upload_before_the_objects_are_listed = clear_the_retention_and_upload_once(tenant, activity_id)
        events = aws.s3().meta.events
        events.register("before-call.s3.ListObjectVersions", upload_before_the_objects_are_listed)
        try:
            sweep = recording_retention.sweep_account(tenant.account_id)
        finally:
            events.unregister("before-call.s3.ListObjectVersions", upload_before_the_objects_are_listed)

    # The expired recording went, the new one is kept, and the activity (whose write lost the race) names it
    assert (sweep.complete, sweep.recordings_deleted) == (True, 0)
    activity = activities_dal.get_activity(tenant.account_id, activity_id)
    assert "recording_deleted_at" not in activity
    fetched = fetch(tenant, activity_id)
    assert fetched.status == 200, fetched.body
    assert versions_under(tenant, activity_id) == [activity["recording"]["key"]]
