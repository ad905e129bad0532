"""RingCloud: an account's configuration and import status, click-to-call requests and answers."""

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from ringbridge.models.activities import Number, UserRef
from ringbridge.models.common import Id, StrictInput

# "<account id>_<body>"; the body goes into URLs as it is, so nothing a URL would read specially.
API_KEY = re.compile(r"^\d+_[A-Za-z0-9._~-]+$")
MAX_ERRORS_KEPT = 20


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
    # RingCloud user name by extension, as the last GET /v1/users gave them (click-to-call reads it).
    users: dict[str, str] = Field(default_factory=dict)


class AccountRingcloud(BaseModel):
    """One account's configuration and status, as ``ringbridge admin ringcloud-status`` shows it."""

    account_id: str
    config: RingcloudConfig | None
    status: RingcloudStatus


class AccountImportResult(BaseModel):
    account_id: str
    calls_imported: int = 0
    recordings_stored: int = 0
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
    number: Number | None = Field(default=None, description="The number to call; or give contact_id")
    contact_id: Id | None = Field(default=None, description="Call this contact's first number; or give number")


class CallStarted(BaseModel):
    """What was sent to RingCloud's POST /v1/calls."""

    user_id: str = Field(description="The CRM user whose phone rings first")
    extension: str
    ringcloud_user: str = Field(description="The RingCloud user name the call was started for")
    number: str = Field(description="The number dialled, as sent: digits, no +")
    contact_id: str | None = None
