"""RingCloud: an account's configuration and import status, click-to-call requests and answers."""

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from ringbridge import phones
from ringbridge.models.activities import Number, UserRef
from ringbridge.models.common import Id, StoredProblem, StrictInput

# "<account id>_<body>"; the body goes into URLs as it is, so nothing a URL would read specially.
API_KEY = re.compile(r"^\d+_[A-Za-z0-9._~-]+$")
MAX_ERRORS_KEPT = 20
# Click-to-call's dialling policy (phones.TYPE_NAMES spells the types): the types a business calls are
# always dialled; an admin may allow the others one by one. Unknown types never are.
DIALLED_TYPES = ("fixed-line", "mobile", "fixed-line-or-mobile", "toll-free")
ALLOWABLE_TYPES = ("voip", "premium-rate", "shared-cost", "personal", "pager", "uan", "voicemail")


def check_api_key(value: str) -> str:
    value = value.strip()
    if len(value) > 256 or not API_KEY.match(value):
        raise ValueError("must be a RingCloud API key: <account number>_<key body>, e.g. 12345_a1b2c3")
    return value


class RingcloudConfig(BaseModel):
    """What the admin sets per account. The passwords live in SSM, never here."""

    api_key: str = Field(description="The RO key: reads completed calls, users and recordings")
    rw_api_key: str | None = Field(default=None, description="The RW key: starts calls (click-to-call)")
    timezone: str = Field(default="UTC", description="The IANA zone RingCloud's call times are in")
    days: Annotated[int, Field(ge=1, le=7, description="How many days back each import run looks")] = 1
    allowed_countries: list[str] = Field(
        default_factory=list,
        description="Countries (ISO 3166 codes) click-to-call may dial besides the account's own",
    )
    allowed_types: list[str] = Field(
        default_factory=list,
        description=f"Number types click-to-call may dial besides {', '.join(DIALLED_TYPES)}: "
        f"any of {', '.join(ALLOWABLE_TYPES)}",
    )
    updated_at: str | None = None

    @field_validator("api_key", "rw_api_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        return None if value is None else check_api_key(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Kyiv)") from None
        return value.strip()

    @field_validator("allowed_countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        codes = sorted({value.strip().upper() for value in values} - {""})  # "PL, DE," is PL and DE
        unknown = [code for code in codes if not phones.is_region(code)]
        if unknown:
            raise ValueError(f"{', '.join(map(repr, unknown))}: not a country code (ISO 3166 alpha-2, e.g. PL)")
        return codes

    @field_validator("allowed_types")
    @classmethod
    def _types(cls, values: list[str]) -> list[str]:
        names = {value.strip().lower() for value in values} - {""}
        unknown = sorted(names - set(ALLOWABLE_TYPES))
        if unknown:
            raise ValueError(
                f"{', '.join(map(repr, unknown))}: not a number type that can be allowed; choose from "
                f"{', '.join(ALLOWABLE_TYPES)} ({', '.join(DIALLED_TYPES)} are always allowed)"
            )
        return [name for name in ALLOWABLE_TYPES if name in names]


class FailingCall(BaseModel):
    """A call that a run could not import, or whose recording it could not store: tried again later."""

    call_id: str
    started_at: str = Field(description="The call's start as RingCloud sent it (cut at 40 characters)")
    part: Literal["call", "recording"] = Field(description="What failed: reading or writing the call, or its recording")
    attempts: int = Field(description="Runs that tried and failed")
    problem: str = Field(description="The last failure (at most 200 characters)")
    next_attempt_at: str | None = Field(description="Not tried again before this time; null once parked")
    parked: bool = Field(description="Failed too often: left alone until it leaves the import's window")


class RingcloudStatus(BaseModel):
    """The last import run of an account, and totals since the account was configured."""

    last_run_at: str | None = None
    last_success_at: str | None = None
    calls_imported: int = Field(default=0, description="Calls the last run imported")
    recordings_stored: int = Field(default=0, description="Recordings the last run stored")
    errors: list[str] = Field(default_factory=list, description=f"The last run's errors (at most {MAX_ERRORS_KEPT})")
    stopped_early: bool = Field(default=False, description="The last run ran out of time")
    stopped_at: str | None = Field(default=None, description="Start time of the first call the last run left over")
    calls_imported_total: int = 0
    recordings_stored_total: int = 0
    failing: list[FailingCall] = Field(
        default_factory=list, description="Calls (or their recordings) that failed, still in the window"
    )
    # RingCloud user name by extension, as the last GET /v1/users gave them (click-to-call reads it).
    users: dict[str, str] = Field(default_factory=dict)


class AccountRingcloud(BaseModel):
    """One account's configuration and status, as ``ringbridge admin ringcloud-status`` shows it."""

    account_id: str
    config: RingcloudConfig | None
    status: RingcloudStatus
    problem: StoredProblem = None


class AccountImportResult(BaseModel):
    account_id: str
    calls_imported: int = 0
    recordings_stored: int = 0
    calls_failed: int = Field(default=0, description="Calls (or recordings) that failed this run")
    calls_parked: int = Field(default=0, description="Calls this run parked: they had failed too often")
    errors: list[str] = []
    stopped_early: bool = False
    stopped_at: str | None = None


class ImportRunResult(BaseModel):
    """What one scheduled run did; ``stopped_early`` when the run's time budget ran out."""

    accounts: list[AccountImportResult] = []
    stopped_early: bool = False


class ClickToCall(StrictInput):
    """Start a call: RingCloud rings the user's phone, then dials the number when the user answers."""

    user_id: UserRef = Field(description="A CRM user id, or the extension of a CRM user")
    number: Number | None = Field(
        default=None,
        description="The number to call, without an extension; or give contact_id. The account's dialling policy "
        "decides which countries and number types may be dialled",
    )
    contact_id: Id | None = Field(default=None, description="Call this contact's first number; or give number")


class CallStarted(BaseModel):
    """What was sent to RingCloud's POST /v1/calls."""

    user_id: str = Field(description="The CRM user whose phone rings first")
    extension: str
    ringcloud_user: str = Field(description="The RingCloud user name the call was started for")
    number: str = Field(description="The number dialled, as sent: digits, no +")
    contact_id: str | None = None
