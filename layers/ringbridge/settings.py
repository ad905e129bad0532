"""The functions' settings: one typed object read from the environment (set by template.yaml).

``current()`` reads and validates it once per process (a cold start) and keeps it. A value that does
not parse or is out of bounds fails that first use with ``InvalidSettings`` naming the variable. An
empty variable counts as unset. Whoever changes the environment of a running process (the tests, the
local stack, the admin CLI) calls ``reload()`` so that the next ``current()`` reads it again.

A plain pydantic model over ``os.environ``: every function imports pydantic already (building these models
takes a few ms of a cold start), while pydantic-settings would add ~150 ms of imports.
"""

import os
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Json, ValidationError

# A hundred years: any longer is "for ever" (and past what a date can be moved back by); the template's
# RecordingRetentionDays MaxValue, and the longest an account's own retention may be.
MAX_RETENTION_DAYS = 36500


class InvalidSettings(ValueError):
    """The environment holds a value the functions cannot run with; the message names each variable."""


def _parameter_path(prefix: str) -> str:
    """An SSM path prefix, kept without its trailing "/" (the parameter names add their own)."""
    prefix = prefix.rstrip("/")
    if not prefix.startswith("/"):
        raise ValueError('must be an SSM parameter path such as "/ringbridge/ringostat"')
    return prefix


ParameterPrefix = Annotated[str, AfterValidator(_parameter_path)]


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class _Vendor(_Group):
    """What both vendors' clients share: where the API is, where the credentials are, waits and retries."""

    base_url: str
    parameter_prefix: ParameterPrefix
    timeout_seconds: float = Field(10.0, gt=0)
    backoff_seconds: float = Field(1.0, ge=0)
    max_attempts: int = Field(5, ge=1)


class Ringostat(_Vendor):
    """The Ringostat sync and push (RINGOSTAT_*)."""

    model_config = ConfigDict(alias_generator=lambda name: f"RINGOSTAT_{name.upper()}")

    base_url: str = "https://api.ringostat.net"
    parameter_prefix: ParameterPrefix = "/ringbridge/ringostat"
    batch_size: int = Field(100, ge=1, le=1000)  # the template's RingostatBatchSize bounds
    safety_lag_seconds: float = Field(30.0, ge=0)

    def auth_key_parameter(self, account_id: str) -> str:
        return f"{self.parameter_prefix}/{account_id}/auth-key"


class Ringcloud(_Vendor):
    """The RingCloud import and click-to-call (RINGCLOUD_*)."""

    model_config = ConfigDict(alias_generator=lambda name: f"RINGCLOUD_{name.upper()}")

    base_url: str = "https://api.ringcloud.ru"
    parameter_prefix: ParameterPrefix = "/ringbridge/ringcloud"

    def password_parameter(self, account_id: str, which: str) -> str:
        return f"{self.parameter_prefix}/{account_id}/{which}"


T = TypeVar("T")


def _required(value: T | None, variable: str) -> T:
    if value is None:
        raise InvalidSettings(f"{variable}: not set (the function's Environment in template.yaml names it)")
    return value


class Settings(_Group):
    """Every setting a function reads; the variable is the field's name in capitals."""

    model_config = ConfigDict(alias_generator=str.upper)

    # The stack's names. Globals give every function the table and the bucket, STACK_NAME and HTTP_ROUTES
    # go to the one function each that uses them: each is required where it is read, so a process without
    # one (the admin CLI on a table without its bucket) still runs with the rest.
    table_name_if_set: str | None = Field(None, alias="TABLE_NAME")
    recordings_bucket_if_set: str | None = Field(None, alias="RECORDINGS_BUCKET")
    stack_name_if_set: str | None = Field(None, alias="STACK_NAME")
    http_routes_if_set: Json[dict[str, list[str]]] | None = Field(None, alias="HTTP_ROUTES")

    # How long a warm function trusts a verified token before reading it again: it bounds how long a
    # revoked token keeps working there, in exchange for one DynamoDB round trip less per request.
    auth_cache_seconds: float = Field(60.0, ge=0)
    # How long a deleted contact or note stays visible to the feeds (DynamoDB TTL removes it after).
    tombstone_retention_days: float = Field(30.0, ge=1)
    # How far behind now a feed's timestamp stays, so writes still in flight are read on the next poll.
    feed_safety_lag_seconds: float = Field(30.0, ge=0)
    recording_max_bytes: int = Field(200 * 1024 * 1024, ge=1)
    # The longest any account keeps a recording; 0: for ever (logic.recording_retention).
    recording_retention_days: int = Field(0, ge=0, le=MAX_RETENTION_DAYS)
    oauth_access_token_seconds: int = Field(3600, ge=60, le=86400)  # the OAuthAccessTokenSeconds bounds
    tracing: Literal["off", "on"] = "off"
    allow_local_downloads: bool = False  # see loopback_downloads_allowed
    # Lambda sets this in every function: a process without it is local (the tests, the local stack, the CLI).
    aws_lambda_function_name: str | None = None
    # boto3 reads it itself (an emulator's endpoint); here it only lengthens the clients' read timeout.
    aws_endpoint_url: str | None = None
    # Powertools reads these (and its other POWERTOOLS_* variables) itself; these are the fallbacks for a
    # local process that imports ringbridge.observability before the template's environment is applied.
    powertools_service_name: str = "ringbridge"
    powertools_metrics_namespace: str = "ringbridge"

    ringostat: Ringostat = Field(default_factory=Ringostat, alias="ringostat")
    ringcloud: Ringcloud = Field(default_factory=Ringcloud, alias="ringcloud")

    @property
    def table_name(self) -> str:
        return _required(self.table_name_if_set, "TABLE_NAME")

    @property
    def recordings_bucket(self) -> str:
        return _required(self.recordings_bucket_if_set, "RECORDINGS_BUCKET")

    @property
    def stack_name(self) -> str:
        return _required(self.stack_name_if_set, "STACK_NAME")

    @property
    def http_routes(self) -> dict[str, list[str]]:
        """NoRouteFunction's table of the HTTP API's routes: path -> methods (ringbridge.routes)."""
        return _required(self.http_routes_if_set, "HTTP_ROUTES")

    @property
    def in_lambda(self) -> bool:
        return bool(self.aws_lambda_function_name)

    @property
    def tombstone_retention_seconds(self) -> int:
        return int(self.tombstone_retention_days * 86400)

    @property
    def tracing_enabled(self) -> bool:
        """The stack's Tracing parameter: "on" turns on X-Ray and the Powertools Tracer."""
        return self.tracing == "on"

    @property
    def loopback_downloads_allowed(self) -> bool:
        """ALLOW_LOCAL_DOWNLOADS=1: recordings may come by plain HTTP from loopback (the local stack's file servers).

        Only the local stack and the tests set it. Inside Lambda it is ignored, so a deployed function can
        never be told to fetch from its own host.
        """
        return self.allow_local_downloads and not self.in_lambda


@cache
def current() -> Settings:
    """The settings of this process, read from the environment at the first call."""
    environment: dict[str, Any] = {name: value.strip() for name, value in os.environ.items() if value.strip()}
    try:
        return Settings.model_validate({**environment, "ringostat": environment, "ringcloud": environment})
    except ValidationError as error:
        raise InvalidSettings("; ".join(_problem(each) for each in error.errors())) from None


def _problem(error: Any) -> str:
    """``VARIABLE: what is wrong``, without the value (an error message is logged)."""
    variable = next((str(part) for part in error["loc"] if str(part).isupper()), "the environment")
    return f"{variable}: {error['msg']}"


def reload() -> None:
    """Read the environment again at the next ``current()`` (after changing it in a running process)."""
    current.cache_clear()
