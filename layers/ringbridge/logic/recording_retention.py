"""Recording retention (docs/data-lifecycle.md): a call's recording is deleted once it is older than its
account's retention, and its activity keeps ``recording_deleted_at``.

The retention is the stack's RecordingRetentionDays (``RECORDING_RETENTION_DAYS``; 0: keep for ever) or an
account's own, which may only be shorter: the parameter is the longest the integrator allows, so the bucket's
lifecycle rule (current versions under ``accounts/`` expire after it) is right for every account and backs the
sweep up. A recording's age counts from its upload (``recording.uploaded_at``), as the bucket's rule counts
from the object's creation; one exactly N days old is kept, a moment older is not.

The sweep finds the accounts in the bucket (one ListObjectVersions per 1,000) and, per account with a
retention, its expired recordings by a Query of its activities (never a Scan). For each: every version under
the activity's prefix is deleted first, then the activity (and its call copy) is rewritten without its
``recording``, with ``recording_deleted_at``, over the version it was read at. A run that stops (its time,
``--max-steps``, a crash) leaves the activity still pointing at its recording, so the next run finds it again;
the place it got to is kept (a cursor per account, the last account done) so large accounts still get through.
A recording S3 refuses to delete (a legal hold or a retention under Object Lock) is kept, counted and logged,
its activity unchanged; the sweep goes on past it, and the next one tries it again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, cast

from ringbridge import clock, retry, settings
from ringbridge.budget import OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import recording_objects
from ringbridge.dal import recording_retention as dal
from ringbridge.dal.table import TransactionCancelled, transact
from ringbridge.errors import Conflict, Gone, InvalidInput, NotFound
from ringbridge.logic.allowance import Allowance
from ringbridge.models.recording_retention import MAX_KEPT_NAMED, AccountSweep, RetentionRun, RetentionSetting
from ringbridge.observability import logger

if TYPE_CHECKING:
    from ringbridge.dal.items import AccountItem, ActivityItem, RecordingItem

MAX_DAYS = settings.MAX_RETENTION_DAYS


def deployment_days() -> int | None:
    """RecordingRetentionDays, the longest any account keeps a recording; None for 0 (keep for ever)."""
    return settings.current().recording_retention_days or None


def effective_days(account: AccountItem | None) -> int | None:
    """The account's retention: the shorter of the deployment's and its own (an account being deleted, None,
    has none of its own); None: kept for ever."""
    own = account.get("recording_retention_days") if account else None
    days = [value for value in (deployment_days(), own) if value]
    return min(days) if days else None


def cutoff(days: int) -> str:
    """Recordings uploaded before this moment are past a retention of ``days``."""
    return clock.iso(clock.now() - timedelta(days=days))


def is_past(recording: RecordingItem | None, days: int | None) -> bool:
    """Whether this recording (an activity's ``recording``) is older than a retention of ``days``."""
    return recording is not None and days is not None and recording["uploaded_at"] < cutoff(days)


def check_not_gone(activity: ActivityItem, days: int | None) -> None:
    """410 when the retention deleted the activity's recording, or is past it (the bucket may have removed it
    before the sweep came): a recording of that call can no longer be fetched, nor stored again."""
    recording = activity.get("recording")
    if recording is None and activity.get("recording_deleted_at"):
        raise Gone(
            f"was deleted at {activity['recording_deleted_at']}: it was older than the account's retention",
            field="recording",
        )
    if is_past(recording, days):
        raise Gone(f"is older than the account's retention of {days} days: it is deleted", field="recording")


def set_account_days(account_id: str, days: int | None) -> RetentionSetting:
    """Give the account a retention of its own (None: back to the deployment's); never a longer one."""
    longest = deployment_days()
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"must be from 1 to {MAX_DAYS} days", field="days")
    if days is not None and longest is not None and days > longest:
        raise InvalidInput(
            f"is longer than the deployment's RecordingRetentionDays ({longest}): an account's retention "
            "may only shorten it",
            field="days",
        )
    accounts_dal.set_recording_retention(account_id, days)  # 404 for an unknown account
    return setting(account_id)


def setting(account_id: str) -> RetentionSetting:
    account = accounts_dal.get_account(account_id)
    return RetentionSetting(
        account_id=account_id,
        account_days=account.get("recording_retention_days"),
        deployment_days=deployment_days(),
        effective_days=effective_days(account),
    )


def sweep_account(account_id: str, allowance: Allowance | None = None) -> AccountSweep:
    """Delete the account's recordings past its retention now (the CLI); ``complete`` False when stopped."""
    days = effective_days(accounts_dal.get_account(account_id))  # 404 for an unknown account
    return _sweep(account_id, days, allowance or Allowance())


def sweep_accounts(allowance: Allowance) -> RetentionRun:
    """The scheduled run: every account with recordings, from where the last unfinished run stopped."""
    run = RetentionRun()
    after = dal.get_accounts_after()
    try:
        for account_id in recording_objects.account_ids(after):
            allowance.check()
            try:
                days = effective_days(accounts_dal.get_account(account_id))
            except NotFound:  # being deleted: its recordings are that deletion's
                days = None
            if days is not None:
                run.accounts.append(_sweep(account_id, days, allowance))
                if not run.accounts[-1].complete:
                    raise OutOfTime
            after = account_id
    except OutOfTime:
        if after:
            dal.put_accounts_after(after)
        return run
    dal.delete_accounts_after()
    run.complete = True
    return run


def _sweep(account_id: str, days: int | None, allowance: Allowance) -> AccountSweep:
    sweep = AccountSweep(account_id=account_id, retention_days=days)
    if days is None:
        sweep.complete = True
        return sweep
    limit = cutoff(days)
    start = position = dal.get_cursor(account_id)
    try:
        for activities, page_end in dal.expired_pages(account_id, limit, start):
            for activity in activities:
                allowance.take()
                try:
                    # The objects first: if the run stops here, the activity still names its recording.
                    sweep.recording_objects_deleted += recording_objects.delete_recording(
                        recording_objects.activity_prefix(account_id, activity["id"]), activity["recording"]["key"]
                    )
                except recording_objects.NotDeleted as refused:  # held: the next sweep meets it again
                    _kept(sweep, str(refused))
                else:
                    # dal.recording_retention answers the activities untyped
                    sweep.recordings_deleted += _mark_deleted(account_id, cast("ActivityItem", activity), limit)
                position = activities_dal.activity_sk(activity["id"])
            position = page_end
            if page_end:
                allowance.check()
    except OutOfTime:
        if position and position != start:
            dal.put_cursor(account_id, position)
        return sweep
    if start:
        dal.delete_cursor(account_id)
    sweep.complete = True
    return sweep


def _kept(sweep: AccountSweep, refusal: str) -> None:
    """A recording S3 would not delete stops neither the account's sweep nor the others': counted and logged."""
    sweep.recordings_kept += 1
    if len(sweep.kept) < MAX_KEPT_NAMED:
        sweep.kept.append(refusal)
    logger.warning("A recording past its retention was kept", extra={"account_id": sweep.account_id, "error": refusal})


def _mark_deleted(account_id: str, activity: ActivityItem, limit: str) -> int:
    """The activity and its call copy without the recording, with ``recording_deleted_at``: 1; or 0 when it
    changed meanwhile so that its recording is no longer past the retention (a new one was uploaded)."""

    def write(activity: ActivityItem) -> None:
        now = clock.now_iso()
        marked = cast("ActivityItem", {name: value for name, value in activity.items() if name != "recording"})
        marked["version"], marked["updated_at"], marked["recording_deleted_at"] = activity["version"] + 1, now, now
        transact(activities_dal.activity_puts(account_id, marked, activity["version"]))

    def read_again(activity: ActivityItem) -> ActivityItem | None:
        current = activities_dal.get_activity(account_id, activity["id"])
        recording = current.get("recording") if current else None
        past = recording is not None and recording["uploaded_at"] < limit
        return current if past else None

    conflict = Conflict("an activity kept changing while its recording was deleted; sweep again", field="account_id")
    return int(retry.rewrite(activity, write, read_again, lost_race=TransactionCancelled, conflict=conflict))
