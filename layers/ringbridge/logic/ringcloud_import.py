"""The scheduled RingCloud import: every configured account's completed calls become activities.

Per account, one GET /v1/calls/complete?days=N gives the calls of the window. RingCloud gives a
call no id, so its ``call_id`` is a hash of the fields that identify it; the activity logic
makes a call id unique per account, so a call seen again (the windows of runs overlap) is never
imported twice. Calls already imported are found with one BatchGetItem per 100 calls; only new
ones are matched to a contact (as FindContact does) and a CRM user (by extension) and written.
A call with a recording that is not stored yet gets it downloaded into S3, within the time the
run has left. Calls go oldest first; a run that runs out of time records the first call it left,
and the next run, reading the same window, picks the rest up.

RingCloud's answers are untrusted input. A call that cannot be read or written, or whose recording
fails, is recorded and skipped, and tried again later until it is parked (logic.ringcloud_failures);
text is cut to its field's limit and numbers are range-checked before anything is stored. Whatever
fails inside one account's run is recorded in its status, and the next account runs; accounts run
least recently run first, so an account that used up a run's time goes last in the next one.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import requests
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from ringbridge import clock
from ringbridge.account_scope import AccountScope
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringcloud as dal
from ringbridge.dal.table import BATCH_GET_MAX_KEYS
from ringbridge.errors import RingbridgeError, described
from ringbridge.logic import activities, recordings, ringcloud
from ringbridge.logic.per_account import run_each
from ringbridge.logic.ringcloud_failures import PROBLEM_LIMIT, FailureLog, bounded

if TYPE_CHECKING:
    from ringbridge.dal.items import UserItem
from ringbridge.models.activities import ActivityCreate
from ringbridge.models.ringcloud import MAX_ERRORS_KEPT, AccountImportResult, ImportRunResult, RingcloudConfig
from ringbridge.observability import logger, metrics
from ringbridge.ringcloud_client import RingcloudClient, RingcloudError

MIN_CALL_SECONDS = 1.0  # time left below which no further call is started
MIN_RECORDING_SECONDS = 2.0  # a download is not started with less time than this for it (docs/ringcloud.md)
CHUNK = BATCH_GET_MAX_KEYS  # calls looked up together: one BatchGetItem
DIRECTIONS = {"incoming": "inbound", "outgoing": "outbound"}
# Naive forms RingCloud's times may take besides ISO 8601 (which datetime.fromisoformat reads).
TIME_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")
_EPOCH_MS = 10**11  # epoch numbers at or above this are milliseconds, below it seconds
NUMBER_LIMIT = 64  # the activity's caller_number and called_number
DISPOSITION_LIMIT = 200
REC_FILE_LIMIT = 2048  # a URL path; longer is not a recording RingCloud would serve
MAX_DURATION_SECONDS = 86_400  # a day: a longer "duration" is not a phone call
IDENTITY_FIELDS = ("direction", "src", "dst", "call_start_time", "call_end_time", "duration")
# DynamoDB answers that say the service, not the call, is failing: the account's run stops there
# (recorded) instead of counting a failure against every call while it lasts.
OUTAGE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError"}
)


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
        try:
            return datetime.fromtimestamp(number / 1000 if number >= _EPOCH_MS else number, UTC)
        except (OverflowError, OSError, ValueError):  # inf, nan, past year 9999
            raise ValueError(f"time {str(value)[:40]!r} is out of range") from None
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)  # Python 3.11 reads a "Z" too
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


def call_identity(raw: dict[str, Any]) -> str:
    """The call's id: a hash of the fields as RingCloud sent them (not as we read them, so a change of
    the account's time zone does not make an imported call look new). Any object has one, readable or not."""
    identity = "|".join(str(raw.get(name) or "") for name in IDENTITY_FIELDS)
    return "ringcloud-" + hashlib.sha256(identity.encode(errors="replace")).hexdigest()[:32]


def read_call(raw: dict[str, Any], zone: ZoneInfo) -> CompletedCall | None:
    """The call as we import it; None for an internal call. Raises ValueError for one we cannot read."""
    direction = str(raw.get("direction") or "").strip().lower()
    if direction == "internal":
        return None
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction[:20]!r}")
    start = parse_time(raw.get("call_start_time"), zone)
    duration = _duration(raw.get("duration"))
    end_value = raw.get("call_end_time")
    end = parse_time(end_value, zone) if end_value not in (None, "") else None
    if end is None:
        end = datetime.fromtimestamp(start.timestamp() + duration, UTC)
    src, dst = (_text(raw.get(name), NUMBER_LIMIT) for name in ("src", "dst"))
    return CompletedCall(
        call_id=call_identity(raw),
        direction=DIRECTIONS[direction],
        src=src,
        dst=dst,
        started_at=clock.iso(start),
        ended_at=clock.iso(end),
        duration_seconds=duration,
        disposition=_text(raw.get("disposition"), DISPOSITION_LIMIT),
        rec_file=str(raw.get("rec_file") or "").strip() or None,
    )


def _duration(value: Any) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"duration is a {type(value).__name__}, not a number")
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"duration {str(value)[:40]!r} is not a number") from None
    if not 0 <= seconds <= MAX_DURATION_SECONDS:  # also inf and nan
        raise ValueError(f"duration {str(value)[:40]!r} is outside 0 to {MAX_DURATION_SECONDS} seconds")
    return int(seconds)


def _text(value: Any, limit: int) -> str | None:
    """A text field as stored: stripped, cut to its limit (the cut marked), None when empty."""
    if value is None or isinstance(value, dict | list):
        return None
    return bounded(str(value).strip(), limit) or None


def import_all(budget: Budget) -> ImportRunResult:
    """Import every configured account in turn, least recently run first; one account's failure,
    whatever it is, is recorded in its status and the next account runs."""
    started = clock.monotonic()
    result = ImportRunResult()
    with requests.Session() as session:

        def import_account(account_id: str) -> None:
            account = AccountImportResult(account_id=account_id)
            result.accounts.append(account)
            _import_account(account, session, budget)

        accounts = dal.configured_accounts()
        result.stopped_early = run_each("RingCloud import", accounts, budget, MIN_CALL_SECONDS, import_account, _safe)
    # (Each stored recording counts in RecordingsStored where it is stored, as the hooks' do: not again here.)
    for name, value in (
        ("CallsImported", sum(a.calls_imported for a in result.accounts)),
        ("CallsFailed", sum(a.calls_failed for a in result.accounts)),
        ("CallsParked", sum(a.calls_parked for a in result.accounts)),
        ("RingcloudErrors", sum(len(a.errors) for a in result.accounts)),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    metrics.add_metric(name="RunDuration", unit=MetricUnit.Milliseconds, value=(clock.monotonic() - started) * 1000)
    return result


def _import_account(account: AccountImportResult, session: requests.Session, budget: Budget) -> None:
    account_id = account.account_id
    config_item, status_item = dal.get_config_and_status(account_id)
    if config_item is None:
        return  # a registry entry whose config write has not become visible: nothing to do yet
    failures = FailureLog((status_item or {}).get("failing", []))
    in_window: set[str] | None = None  # the call ids RingCloud listed, once it has
    run_at = clock.now_iso()
    completed = False
    try:
        config = RingcloudConfig(**config_item)
        client = ringcloud.client(session, account_id, config)
        raw_calls = client.completed_calls(config.days, budget)
        in_window = {call_identity(raw) for raw in raw_calls if isinstance(raw, dict)}
        calls = _read_calls(raw_calls, ZoneInfo(config.timezone), account, failures)
        _import_calls(account, calls, client, budget, failures)
        completed = True
    except RingcloudError as error:
        _error(account, str(error))
    except OutOfTime:
        account.stopped_early = True
        raise
    except Exception as error:  # whatever it is, it stops this account only, and the status says so
        _error(account, f"the run of this account failed: {_safe(error)}")
    finally:  # also when the budget ran out: what was done is recorded
        outcome = {
            "last_run_at": run_at,
            "calls_imported": account.calls_imported,
            "recordings_stored": account.recordings_stored,
            "errors": account.errors,
            "failing": failures.kept(in_window),
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


def _read_calls(
    raw_calls: list[Any], zone: ZoneInfo, account: AccountImportResult, failures: FailureLog
) -> list[CompletedCall]:
    calls = []
    for position, raw in enumerate(raw_calls):
        if not isinstance(raw, dict):
            _error(account, f"element {position} of RingCloud's call list is not an object ({type(raw).__name__})")
            continue
        call_id = call_identity(raw)
        if failures.waiting(call_id):
            continue
        try:
            call = read_call(raw, zone)
        except (ValueError, TypeError, ArithmeticError) as error:
            _failed(account, failures, call_id, str(raw.get("call_start_time")), "call", f"unreadable: {error}")
            continue
        if call is not None:
            calls.append(call)
    calls.sort(key=lambda call: call.started_at)
    return calls


def _import_calls(
    account: AccountImportResult,
    calls: list[CompletedCall],
    client: RingcloudClient,
    budget: Budget,
    failures: FailureLog,
) -> None:
    account_id = account.account_id
    scope: AccountScope | None = None
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
            if scope is None or users is None:
                region = accounts_dal.get_account(account_id)["region"]
                scope = AccountScope(account_id=account_id, region=region, can_write=True)
                users = _Users.read(account_id, client, budget)
            _import_call(account, scope, users, call, activity, client, budget, failures)


def _import_call(
    account: AccountImportResult,
    scope: AccountScope,
    users: "_Users",
    call: CompletedCall,
    activity: dict[str, Any] | None,
    client: RingcloudClient,
    budget: Budget,
    failures: FailureLog,
) -> None:
    """The call's activity (unless it has one), then its recording (unless stored): a failure of either is
    recorded against the call, and the next call is imported; the run's end of time and an outage stop it."""
    try:
        if activity is None:
            activity = _create(account, scope, call, users)
        if call.rec_file and not activity.get("recording"):
            _store_recording(account, scope, activity["id"], call, client, budget)
    except OutOfTime:
        raise
    except Exception as error:
        if _is_outage(error):
            raise
        part: Literal["call", "recording"] = "call" if activity is None else "recording"
        _failed(account, failures, call.call_id, call.started_at, part, _safe(error))
    else:
        failures.succeeded(call.call_id)


def _create(account: AccountImportResult, scope: AccountScope, call: CompletedCall, users: "_Users") -> dict[str, Any]:
    created, is_new = activities.import_completed(scope, _activity(call, users), users.crm, _completion(call))
    account.calls_imported += is_new
    return created.model_dump()


def _store_recording(
    account: AccountImportResult,
    scope: AccountScope,
    activity_id: str,
    call: CompletedCall,
    client: RingcloudClient,
    budget: Budget,
) -> None:
    """Download the call's recording within the time the run has left (less what recording the
    outcome needs); a failure of the recording is the recording's, raised as a RecordingFailed."""
    seconds = budget.remaining() - MIN_CALL_SECONDS
    if seconds < MIN_RECORDING_SECONDS:
        account.stopped_at = call.started_at
        raise OutOfTime
    assert call.rec_file is not None
    if len(call.rec_file) > REC_FILE_LIMIT:
        raise RecordingFailed(f"its rec_file is longer than {REC_FILE_LIMIT} characters")
    try:
        url = client.recording_url(call.rec_file, budget)  # may wait RingCloud's spacing: the time left is read after
        recordings.store_from_url(scope, activity_id, url, seconds=budget.remaining() - MIN_CALL_SECONDS)
    except (RingbridgeError, RingcloudError) as error:
        # Never the URL: it carries the key and hash.
        raise RecordingFailed(str(error)) from None
    account.recordings_stored += 1


class RecordingFailed(Exception):
    """The recording of a call could not be fetched or stored; the message is safe to store."""


@dataclass
class _Users:
    """The account's CRM users, and which numbers are RingCloud extensions: read once per run."""

    crm: list["UserItem"]
    crm_by_extension: dict[str, str]
    ringcloud_extensions: set[str]

    @classmethod
    def read(cls, account_id: str, client: RingcloudClient, budget: Budget) -> "_Users":
        names = client.user_names(budget)
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


def _failed(
    account: AccountImportResult,
    failures: FailureLog,
    call_id: str,
    started_at: str,
    part: Literal["call", "recording"],
    problem: str,
) -> None:
    entry = failures.failed(call_id, started_at, part, problem)
    account.calls_failed += 1
    account.calls_parked += entry.parked
    what = "the call" if part == "call" else "the recording of the call"
    then = "parked: it failed too often" if entry.parked else "tried again later"
    _error(account, f"{what} at {entry.started_at} was skipped ({entry.problem}); {then}")


def _is_outage(error: Exception) -> bool:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in OUTAGE_CODES
    return isinstance(error, BotoCoreError)  # no answer from AWS at all


def _safe(error: Exception) -> str:
    """What may be stored and logged of an error: our own messages, or the kind of anything else
    (an unexpected error's text could carry a signed URL)."""
    if isinstance(error, ValidationError):  # a value RingCloud sent that our models refuse
        return described(error.errors()[0])
    if isinstance(error, RecordingFailed | ValueError):
        return str(error)
    if isinstance(error, RingbridgeError):
        return error.message
    if isinstance(error, ClientError):
        return f"DynamoDB or S3 refused a write ({error.response.get('Error', {}).get('Code')})"
    return f"an unexpected {type(error).__name__}"


def _error(account: AccountImportResult, problem: str) -> None:
    problem = bounded(problem, 2 * PROBLEM_LIMIT)
    logger.warning("RingCloud import problem", extra={"account_id": account.account_id, "error": problem})
    if len(account.errors) < MAX_ERRORS_KEPT:
        account.errors.append(problem)
