"""Call activities: one per call, created when the call starts and completed when it stops.

The same activities are what the Ringio API shows as rings.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, WithJsonSchema

from ringbridge import clock
from ringbridge.models.common import CALL_ID_PATTERN, BlankIsAbsent, Id, StrictInput

Direction = Literal["inbound", "outbound", "unknown"]
# What Ringotel may send for a call's direction, any case; anything else is stored as "unknown",
# with the text as sent in direction_given, so that no call is ever lost over a word.
DIRECTIONS: dict[str, Direction] = {
    "inbound": "inbound",
    "incoming": "inbound",
    "in": "inbound",
    "outbound": "outbound",
    "outgoing": "outbound",
    "out": "outbound",
}
DirectionText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=64),
    Field(description="inbound/outbound, incoming/outgoing or in/out, any case; anything else: unknown"),
]


def direction_of(text: str | None) -> tuple[Direction, str | None]:
    """The direction ``text`` means, and ``text`` itself when it means none we know (else None)."""
    known = DIRECTIONS.get((text or "").strip().lower())
    if known:
        return known, None
    return "unknown", (text or "").strip() or None


Status = Literal["active", "completed"]

# Ringotel's call ids look like "1729693708182-2d1c3de3d3772cdc1f".
CallId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=CALL_ID_PATTERN)]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
# A CRM user id, or a Ringotel extension that belongs to a CRM user.
UserRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]

# Epoch milliseconds above this are refused: year 2286; below 10^11 would be seconds, not ms.
_MAX_EPOCH_MS = 10**13
_MIN_EPOCH_MS = 10**11


def _moment(value: object) -> object:
    """ISO 8601 text or epoch milliseconds (number or digits) -> ISO 8601 UTC text."""
    if isinstance(value, bool):
        raise ValueError("must be an ISO 8601 time or epoch milliseconds")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int | float):
        if not _MIN_EPOCH_MS <= value < _MAX_EPOCH_MS:
            raise ValueError("epoch milliseconds out of range (seconds are not accepted)")
        return clock.iso(datetime.fromtimestamp(value / 1000, UTC))
    if isinstance(value, str):
        try:
            return clock.iso(clock.parse_iso(value))
        except ValueError:
            raise ValueError("must be an ISO 8601 time or epoch milliseconds") from None
    return value


Moment = Annotated[
    str,
    BeforeValidator(_moment),
    Field(description="ISO 8601, or epoch milliseconds", examples=[1729693708182]),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "ISO 8601, or epoch milliseconds as digits"},
                {"type": "integer", "minimum": _MIN_EPOCH_MS, "exclusiveMaximum": _MAX_EPOCH_MS},
            ]
        }
    ),
]


class ActivityCreate(BlankIsAbsent, StrictInput):
    """CreateActivity: the start of a call. Blank values (unset Ringotel variables) count as absent."""

    call_id: CallId = Field(description="Ringotel's call id; unique per account (a retry answers the same activity)")
    direction: DirectionText | None = Field(
        default=None,
        description="inbound/outbound, incoming/outgoing or in/out, any case. Anything else, or none, is stored "
        "as `unknown` (the text sent is kept in `direction_given`): the call is never refused for it.",
    )
    caller_number: Number | None = None
    called_number: Number | None = None
    user_id: UserRef | None = Field(default=None, description="A CRM user id, or a Ringotel extension of a CRM user")
    started_at: Moment | None = Field(default=None, description="ISO 8601 or epoch milliseconds; default: now")
    contact_id: Id | None = Field(default=None, description="Default: the contact whose number is the external party's")
    subject: Label | None = None
    comment: Text | None = None


class ActivityAssign(BlankIsAbsent, StrictInput):
    """AssignActivity: attach the activity to a contact."""

    contact_id: Id


class ActivityUpdate(BlankIsAbsent, StrictInput):
    """UpdateActivity: a partial update of the descriptive fields; a blank value leaves the field as it is."""

    subject: Label | None = None
    comment: Text | None = None
    disposition: Label | None = None
    version: int | None = Field(
        default=None, ge=1, strict=True, description="The version the client last saw (optimistic)"
    )


def _whole_number(value: object) -> object:
    """Ringotel fills its templates with text: "42" is 42 seconds. true is not a number, nor is text other than
    digits ("+0.0", "4e1", which pydantic would otherwise read as numbers), as the schema says."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError("must be a whole number, or its digits as text")
        return int(digits)
    return value


Seconds = Annotated[
    int,
    BeforeValidator(_whole_number),
    Field(ge=0, le=7 * 24 * 3600),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 7 * 24 * 3600},
                {"type": "string", "pattern": "^\\s*[0-9]{1,6}\\s*$"},
            ]
        }
    ),
]


class ActivityStop(BlankIsAbsent, StrictInput):
    """StopCallActivity: the end of a call. Missing values are derived (end: now; duration: end - start)."""

    ended_at: Moment | None = None
    duration_seconds: Seconds | None = Field(default=None, description="Seconds (a number, or its digits as text)")
    cause: Label | None = Field(default=None, description='Ringotel\'s call cause ("0" = normal)')


class Recording(BaseModel):
    key: str = Field(description="The S3 object key (private; fetch it through GET …/recording)")
    content_type: str
    size_bytes: int
    uploaded_at: str


class Activity(BaseModel):
    id: str
    call_id: str
    # Stored items leave out null attributes, so a placeholder's missing direction must default.
    direction: Direction | None = Field(
        default=None, description="null only while a stop that arrived first awaits its start"
    )
    direction_given: str | None = Field(
        default=None, description="The direction as sent, when it was none we understand (direction: unknown)"
    )
    status: Status
    caller_number: str | None = None
    called_number: str | None = None
    user_id: str | None = None
    contact_id: str | None = None
    subject: str | None = None
    comment: str | None = None
    disposition: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    duration_seconds: int | None = None
    cause: str | None = None
    recording: Recording | None = None
    recording_deleted_at: str | None = Field(
        default=None, description="When the retention of recordings deleted this call's recording"
    )
    version: int
    created_at: str
    updated_at: str


class RecordingLink(BaseModel):
    url: str = Field(description="A presigned GET URL of the recording")
    expires_in: int = Field(description="Seconds the URL stays valid")
    content_type: str
    size_bytes: int


class RecordingSource(BlankIsAbsent, StrictInput):
    """UpdateCallRecording by reference: the function downloads the file."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]
