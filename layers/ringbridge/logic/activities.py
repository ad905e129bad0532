"""Call activities: create (matched to a contact), assign, update, stop; events may come out of order.

An activity is named by its id or by Ringotel's call id. A stop that arrives before its start
records a placeholder under the call id (status completed, the end fields known); the later
create fills in the start fields instead of making a second activity.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

from ringbridge import clock, ids, observability, phones
from ringbridge.account_scope import AccountScope
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import activities as dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal.table import TransactionCancelled, transact
from ringbridge.errors import Conflict, InvalidInput, NotFound
from ringbridge.logic import etags
from ringbridge.models.activities import (
    Activity,
    ActivityAssign,
    ActivityCreate,
    ActivityStop,
    ActivityUpdate,
    Direction,
    direction_of,
)
from ringbridge.retry import until_written

if TYPE_CHECKING:
    from ringbridge.dal.items import ActivityItem, RecordingItem, UserItem

# Set on a placeholder written by a stop that came before its start; the create removes it.
AWAITING_START: Final = "awaiting_start"
_ACTIVITY_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # a ULID, as ids.new_id makes them


def create_activity(scope: AccountScope, data: ActivityCreate) -> tuple[Activity, bool]:
    """Ringotel's CreateActivity hook: the activity of ``data.call_id``, and whether this call created it
    (False: a retry). A ``user_id`` that names no CRM user is refused."""
    user_id = _resolve_user(scope.account_id, data.user_id, None, strict=True, users=None)
    return _insert(scope, data, user_id)


def start_from_webhook(scope: AccountScope, data: ActivityCreate, extension: str | None) -> tuple[Activity, bool]:
    """A webhook's StartCallActivity. A user_id that names nobody is let through (Ringotel cannot fix its
    mapping, and losing the call would be worse): the ``extension`` is tried, else the call has no user."""
    user_id = _resolve_user(scope.account_id, data.user_id, extension, strict=False, users=None)
    return _insert(scope, data, user_id)


def import_completed(
    scope: AccountScope, data: ActivityCreate, users: list[UserItem], completion: dict[str, Any]
) -> tuple[Activity, bool]:
    """A call imported after it ended (``completion``: ``ended_at``, ``duration_seconds``, ``disposition``).
    ``users`` (the account's, read once by an import of many calls) saves reading them per call."""
    user_id = _resolve_user(scope.account_id, data.user_id, None, strict=False, users=users)
    return _insert(scope, data, user_id, completion)


def _insert(
    scope: AccountScope, data: ActivityCreate, user_id: str | None, completion: dict[str, Any] | None = None
) -> tuple[Activity, bool]:
    """The one insert under the three: a new activity for ``data.call_id``, True; or the one a retry (or the
    start's placeholder written by an earlier stop, completed now) finds, False for a plain retry."""
    direction, direction_given = direction_of(data.direction)
    contact_id = _contact_for(scope, data, direction)
    now = clock.now_iso()
    fields: dict[str, Any] = {
        "call_id": data.call_id,
        "direction": direction,
        "direction_given": direction_given,
        "caller_number": data.caller_number,
        "called_number": data.called_number,
        "user_id": user_id,
        "contact_id": contact_id,
        "subject": data.subject,
        "comment": data.comment,
        "started_at": data.started_at or now,
        **(completion or {}),
    }

    def attempt() -> tuple[Activity, bool]:
        status = "completed" if completion else "active"
        activity = cast(
            "ActivityItem",
            {"id": ids.new_id(), "status": status, **fields, "version": 1, "created_at": now, "updated_at": now},
        )
        try:
            _put(scope, activity, None)
        except TransactionCancelled:
            existing = dal.get_by_call(scope.account_id, data.call_id)
            if existing is None:
                raise  # the new id collided, not the call id: try another id
            if not existing.get(AWAITING_START):
                return Activity(**existing), False
            activity = _merge_start(existing, fields)
            _put(scope, activity, existing["version"])  # lost to a concurrent retry's merge: read it again
        observability.count("ActivitiesCreated")
        return Activity(**activity), True

    conflict = Conflict("the activity changed concurrently; retry", field="call_id")
    return until_written(attempt, lost_race=TransactionCancelled, conflict=conflict)


def _merge_start(placeholder: ActivityItem, fields: dict[str, Any]) -> ActivityItem:
    """A stop's placeholder with the start fields filled in; what the stop recorded is kept."""
    merged = cast("ActivityItem", {**placeholder, **{k: v for k, v in fields.items() if v is not None}})
    merged.pop(AWAITING_START)
    started, ended = merged.get("started_at"), merged.get("ended_at")
    if merged.get("duration_seconds") is None and started and ended:  # the start's fields have started_at
        merged["duration_seconds"] = _seconds_between(started, ended)
    merged["version"], merged["updated_at"] = placeholder["version"] + 1, clock.now_iso()
    return merged


def _resolve_user(
    account_id: str, reference: str | None, extension: str | None, strict: bool, users: list[UserItem] | None
) -> str | None:
    """A CRM user id, or the id of the user with this Ringotel extension (one Query of the users)."""
    if not (reference or extension):
        return None
    if users is None:
        users = accounts_dal.list_users(account_id)
    for user in users:
        if user["id"] == reference:
            return reference
    for wanted in (reference, extension):
        for user in users:
            if wanted and user.get("extension") == wanted:
                return user["id"]
    if strict:
        raise InvalidInput("is neither a user id nor the extension of a user of this account", field="user_id")
    return None


def _contact_for(scope: AccountScope, data: ActivityCreate, direction: Direction) -> str | None:
    """The given contact (checked), else the most recently updated contact with the other party's number.

    When the direction is unknown, the caller's number is tried first, then the called number.
    """
    if data.contact_id:
        if contacts_dal.read_for_write(scope.account_id, data.contact_id, None, None)["contact"] is None:
            raise InvalidInput("is not a contact of this account", field="contact_id")
        return data.contact_id
    numbers = {
        "inbound": [data.caller_number],
        "outbound": [data.called_number],
        "unknown": [data.caller_number, data.called_number],
    }[direction]
    for external in filter(None, numbers):
        try:
            e164 = phones.to_e164(external, scope.region)
        except InvalidInput:
            continue  # "anonymous", an internal extension...: nobody to match, still a call
        # As FindContact matches, without building its Contact models (a cold start's milliseconds)
        matches = contacts_dal.find_by_phone(scope.account_id, e164)
        if matches:
            return matches[0]["id"]
    return None


def assign_activity(scope: AccountScope, reference: str, data: ActivityAssign) -> Activity:
    def attempt() -> Activity:
        found = dal.read_for_write(scope.account_id, reference, data.contact_id)
        current = _existing(found["activity"])
        if found["contact"] is None:
            raise InvalidInput("is not a contact of this account", field="contact_id")
        if current.get("contact_id") == data.contact_id:
            return Activity(**current)
        updated = _next_version(current, contact_id=data.contact_id)
        _put(scope, updated, current["version"])
        return Activity(**updated)

    return until_written(
        attempt, lost_race=TransactionCancelled, conflict=Conflict("the activity changed concurrently; retry")
    )


def update_activity(scope: AccountScope, reference: str, data: ActivityUpdate) -> Activity:
    """A partial update; a stale ``version`` answers 409 with the current activity."""
    changes = data.model_dump(exclude_unset=True)
    expected = changes.pop("version", None)

    def attempt() -> Activity:
        current = _existing(dal.read_for_write(scope.account_id, reference)["activity"])
        etags.check(expected, Activity(**current), "activity")  # also after a lost race: read again, maybe 409
        updated = _next_version(current, **changes)
        _put(scope, updated, current["version"])
        return Activity(**updated)

    return until_written(
        attempt, lost_race=TransactionCancelled, conflict=Conflict("the activity changed concurrently; retry")
    )


def stop_activity(scope: AccountScope, reference: str, data: ActivityStop) -> Activity:
    """Complete the activity; idempotent once completed. An unknown call id records a placeholder."""

    def attempt() -> Activity:
        current = dal.read_for_write(scope.account_id, reference)["activity"]
        if current is None:
            if _ACTIVITY_ID.match(reference):
                raise NotFound("no such activity", field="id")
            placeholder = _placeholder(reference, data)
            _put(scope, placeholder, None)  # lost when the start (or another stop) got there first
            return Activity(**placeholder)
        if current["status"] == "completed":
            return Activity(**current)
        ended_at = data.ended_at or clock.now_iso()
        duration = data.duration_seconds
        if duration is None:
            # Only a stop's placeholder has no started_at, and a placeholder is completed already.
            duration = _seconds_between(current.get("started_at") or ended_at, ended_at)
        updated = _next_version(
            current, status="completed", ended_at=ended_at, duration_seconds=duration, cause=data.cause
        )
        _put(scope, updated, current["version"])
        return Activity(**updated)

    return until_written(
        attempt, lost_race=TransactionCancelled, conflict=Conflict("the activity changed concurrently; retry")
    )


def _placeholder(call_id: str, data: ActivityStop) -> ActivityItem:
    now = clock.now_iso()
    return {
        "id": ids.new_id(),
        "call_id": call_id,
        "direction": None,
        "status": "completed",
        "ended_at": data.ended_at or now,
        "duration_seconds": data.duration_seconds,
        "cause": data.cause,
        AWAITING_START: True,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def set_recording(scope: AccountScope, current: ActivityItem, recording: RecordingItem) -> tuple[Activity, str | None]:
    """Record ``recording`` on the activity as the caller read it (no second read: its version is the
    write's condition; a write that lost a race reads it again). Answers the activity and the key of the
    recording it replaced."""
    given = iter([current])

    def attempt() -> tuple[Activity, str | None]:
        activity = next(given, None) or _existing(dal.read_for_write(scope.account_id, current["id"])["activity"])
        updated = _next_version(activity, recording=recording)
        _put(scope, updated, activity["version"])
        replaced = activity.get("recording")
        return Activity(**updated), replaced["key"] if replaced else None

    return until_written(
        attempt, lost_race=TransactionCancelled, conflict=Conflict("the activity changed concurrently; retry")
    )


def get_activity(scope: AccountScope, reference: str) -> Activity:
    return Activity(**_existing(dal.read_for_write(scope.account_id, reference)["activity"]))


def _existing(activity: ActivityItem | None) -> ActivityItem:
    if activity is None:
        raise NotFound("no such activity", field="id")
    return activity


def _next_version(current: ActivityItem, **changes: Any) -> ActivityItem:
    return cast(
        "ActivityItem", {**current, **changes, "version": current["version"] + 1, "updated_at": clock.now_iso()}
    )


def _put(scope: AccountScope, activity: ActivityItem, expected_version: int | None) -> None:
    """The activity and its call copy in one transaction; TransactionCancelled if it lost a race."""
    transact(dal.activity_puts(scope.account_id, activity, expected_version))


def _seconds_between(start: str, end: str) -> int:
    started: datetime = clock.parse_iso(start)
    return max(0, round((clock.parse_iso(end) - started).total_seconds()))
