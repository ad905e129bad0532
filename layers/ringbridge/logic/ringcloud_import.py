"""The scheduled RingCloud import: every configured account's completed calls become activities.

Per account, one GET /v1/calls/complete?days=N gives the calls of the window. RingCloud gives a
call no id, so its ``call_id`` is a hash of the fields that identify it; the activity logic
makes a call id unique per account, so a call seen again (the windows of runs overlap) is never
imported twice. Calls already imported are found with one BatchGetItem per 100 calls; only new
ones are matched to a contact (as FindContact does) and a CRM user (by extension) and written.
A call with a recording that is not stored yet gets it downloaded into S3; a failure (an empty
body, an error) leaves it for the next run, until the call leaves the window. Calls go oldest
first; a run that runs out of time records the first call it left, and the next run, reading
the same window, picks the rest up.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests
from aws_lambda_powertools.metrics import MetricUnit

from ringbridge import clock
from ringbridge.auth import Caller
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringcloud as dal
from ringbridge.dal.table import BATCH_GET_MAX_KEYS
from ringbridge.errors import RingbridgeError
from ringbridge.logic import activities, recordings, ringcloud
from ringbridge.models.activities import ActivityCreate
from ringbridge.models.ringcloud import MAX_ERRORS_KEPT, AccountImportResult, ImportRunResult, RingcloudConfig
from ringbridge.observability import logger, metrics
from ringbridge.ringcloud_client import RingcloudClient, RingcloudError

MIN_CALL_SECONDS = 1.0  # time left below which no further call is started
MIN_RECORDING_SECONDS = 2.0  # a download is not started with less time than this left (see README)
CHUNK = BATCH_GET_MAX_KEYS  # calls looked up together: one BatchGetItem
DIRECTIONS = {"incoming": "inbound", "outgoing": "outbound"}
# Naive forms RingCloud's times may take besides ISO 8601 (which datetime.fromisoformat reads).
TIME_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")
_EPOCH_MS = 10**11  # epoch numbers at or above this are milliseconds, below it seconds


@dataclass(frozen=True)
class CompletedCall:
    """One RingCloud completed call, read: times in UTC, internal calls already left out."""

    call_id: str
    direction: str  # inbound | outbound
    src: str | None
    dst: str | None
    started_at: str
    ended_at: str
    duration_seconds: int
    disposition: str | None
    rec_file: str | None

    @property
    def internal_party(self) -> str | None:
        """Our side of the call: the called number of an incoming call, the caller of an outgoing one."""
        return self.dst if self.direction == "inbound" else self.src


def parse_time(value: Any, zone: ZoneInfo) -> datetime:
    """A RingCloud time: ISO 8601 or a common naive form (read in the account's zone), or epoch seconds/ms."""
    if isinstance(value, bool) or value is None:
        raise ValueError("missing time")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if number >= _EPOCH_MS else number, UTC)
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for form in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, form)  # naive: the account's zone is applied below
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"unreadable time {text[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def read_call(raw: dict[str, Any], zone: ZoneInfo) -> CompletedCall | None:
    """The call as we import it; None for an internal call. Raises ValueError for one we cannot read."""
    direction = str(raw.get("direction") or "").strip().lower()
    if direction == "internal":
        return None
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction[:20]!r}")
    start = parse_time(raw.get("call_start_time"), zone)
    duration = int(raw.get("duration") or 0)
    end_value = raw.get("call_end_time")
    end = parse_time(end_value, zone) if end_value not in (None, "") else None
    if end is None:
        end = datetime.fromtimestamp(start.timestamp() + duration, UTC)
    src, dst = (str(raw.get(name) or "").strip() or None for name in ("src", "dst"))
    # The identity: fields as RingCloud sent them (not as we read them, so a change of the account's
    # time zone does not make an imported call look new).
    identity = "|".join(
        str(raw.get(name) or "") for name in ("direction", "src", "dst", "call_start_time", "call_end_time", "duration")
    )
    rec_file = str(raw.get("rec_file") or "").strip() or None
    return CompletedCall(
        call_id="ringcloud-" + hashlib.sha256(identity.encode()).hexdigest()[:32],
        direction=DIRECTIONS[direction],
        src=src,
        dst=dst,
        started_at=clock.iso(start),
        ended_at=clock.iso(end),
        duration_seconds=max(0, duration),
        disposition=str(raw["disposition"]).strip() or None if raw.get("disposition") else None,
        rec_file=rec_file,
    )


def import_all(budget: Budget) -> ImportRunResult:
    """Import every configured account in turn; one account's failure does not stop the others."""
    started = time.monotonic()
    result = ImportRunResult()
    with requests.Session() as session:
        for account_id in dal.configured_accounts():
            account = AccountImportResult(account_id=account_id)
            result.accounts.append(account)
            try:
                if budget.remaining() < MIN_CALL_SECONDS:
                    raise OutOfTime
                _import_account(account, session, budget)
            except OutOfTime:
                result.stopped_early = True
                logger.warning(
                    "RingCloud import stopped: the run's time budget ran out", extra={"account_id": account_id}
                )
                break
    metrics.add_metric(
        name="CallsImported", unit=MetricUnit.Count, value=sum(a.calls_imported for a in result.accounts)
    )
    metrics.add_metric(
        name="RecordingsStored", unit=MetricUnit.Count, value=sum(a.recordings_stored for a in result.accounts)
    )
    metrics.add_metric(name="RingcloudErrors", unit=MetricUnit.Count, value=sum(len(a.errors) for a in result.accounts))
    metrics.add_metric(name="RunDuration", unit=MetricUnit.Milliseconds, value=(time.monotonic() - started) * 1000)
    return result


def _import_account(account: AccountImportResult, session: requests.Session, budget: Budget) -> None:
    account_id = account.account_id
    config_item, _ = dal.get_config_and_status(account_id)
    if config_item is None:
        return  # a registry entry whose config write has not become visible: nothing to do yet
    config = RingcloudConfig(**config_item)
    run_at = clock.now_iso()
    completed = False
    try:
        client = ringcloud.client(session, account_id, config)
        calls = _read_calls(client.completed_calls(config.days, budget), ZoneInfo(config.timezone), account)
        _import_calls(account, calls, client, budget)
        completed = True
    except RingcloudError as error:
        _error(account, str(error))
    except OutOfTime:
        account.stopped_early = True
        raise
    finally:  # also when the budget ran out: what was done is recorded
        outcome = {
            "last_run_at": run_at,
            "calls_imported": account.calls_imported,
            "recordings_stored": account.recordings_stored,
            "errors": account.errors,
            "stopped_early": account.stopped_early,
            "stopped_at": account.stopped_at,
        }
        dal.record_run(account_id, outcome, success=completed)
    logger.info(
        "RingCloud import of an account done",
        extra={
            "account_id": account_id,
            "calls_imported": account.calls_imported,
            "recordings_stored": account.recordings_stored,
            "errors": len(account.errors),
        },
    )


def _read_calls(raw_calls: list[dict[str, Any]], zone: ZoneInfo, account: AccountImportResult) -> list[CompletedCall]:
    calls = []
    for raw in raw_calls:
        try:
            call = read_call(raw, zone)
        except (ValueError, TypeError) as error:
            _error(account, f"a call was skipped: {error}")
            continue
        if call is not None:
            calls.append(call)
    calls.sort(key=lambda call: call.started_at)
    return calls


def _import_calls(
    account: AccountImportResult, calls: list[CompletedCall], client: RingcloudClient, budget: Budget
) -> None:
    account_id = account.account_id
    caller: Caller | None = None
    users: _Users | None = None
    for first in range(0, len(calls), CHUNK):
        chunk = calls[first : first + CHUNK]
        existing = dal.existing_calls(account_id, [call.call_id for call in chunk])
        for call in chunk:
            if budget.remaining() < MIN_CALL_SECONDS:
                account.stopped_at = call.started_at
                raise OutOfTime
            activity = existing.get(call.call_id)
            if activity is not None and (activity.get("recording") or not call.rec_file):
                continue  # imported, and nothing left to fetch
            if caller is None or users is None:
                region = accounts_dal.get_account(account_id)["region"]
                caller = Caller(account_id=account_id, key_id="ringcloud-import", scope="rw", region=region)
                users = _Users.read(account_id, client, budget)
            if activity is None:
                created, is_new = activities.create_activity(
                    caller, _activity(call, users), strict_user=False, users=users.crm, completion=_completion(call)
                )
                activity = created.model_dump()
                account.calls_imported += is_new
            if call.rec_file and not activity.get("recording"):
                _store_recording(account, caller, activity["id"], call, client, budget)


def _store_recording(
    account: AccountImportResult,
    caller: Caller,
    activity_id: str,
    call: CompletedCall,
    client: RingcloudClient,
    budget: Budget,
) -> None:
    if budget.remaining() < MIN_RECORDING_SECONDS:
        account.stopped_at = call.started_at
        raise OutOfTime
    assert call.rec_file is not None
    try:
        recordings.store_from_url(caller, activity_id, client.recording_url(call.rec_file, budget))
    except (RingbridgeError, RingcloudError) as error:
        problem = error.message if isinstance(error, RingbridgeError) else str(error)
        # Never the URL: it carries the key and hash. The call's time tells the admin which one.
        _error(account, f"the recording of the call at {call.started_at} was not stored ({problem}); retried next run")
        return
    account.recordings_stored += 1


@dataclass
class _Users:
    """The account's CRM users, and which numbers are RingCloud extensions: read once per run."""

    crm: list[dict[str, Any]]
    crm_by_extension: dict[str, str]
    ringcloud_extensions: set[str]

    @classmethod
    def read(cls, account_id: str, client: RingcloudClient, budget: Budget) -> "_Users":
        names = {
            str(user["num"]).strip(): str(user["user"]).strip()
            for user in client.users(budget)
            if user.get("num") not in (None, "") and user.get("user") not in (None, "")
        }
        dal.put_users(account_id, names)  # click-to-call finds a user's RingCloud name here
        crm = accounts_dal.list_users(account_id)
        by_extension = {str(user["extension"]): user["id"] for user in crm if user.get("extension")}
        return cls(crm, by_extension, set(names))

    def user_of(self, call: CompletedCall) -> str | None:
        party = call.internal_party
        if party is None or party not in self.ringcloud_extensions:
            return None  # e.g. the dialled public number of an incoming call: no one in particular
        return self.crm_by_extension.get(party)


def _activity(call: CompletedCall, users: _Users) -> ActivityCreate:
    return ActivityCreate(
        call_id=call.call_id,
        direction=call.direction,  # inbound | outbound, from DIRECTIONS
        caller_number=call.src,
        called_number=call.dst,
        user_id=users.user_of(call),
        started_at=call.started_at,
    )


def _completion(call: CompletedCall) -> dict[str, Any]:
    return {"ended_at": call.ended_at, "duration_seconds": call.duration_seconds, "disposition": call.disposition}


def _error(account: AccountImportResult, problem: str) -> None:
    logger.warning("RingCloud import problem", extra={"account_id": account.account_id, "error": problem})
    if len(account.errors) < MAX_ERRORS_KEPT:
        account.errors.append(problem)
