"""The functions' settings: one typed object read from the environment (set by template.yaml).

``current()`` reads and checks it once per process (a cold start) and keeps it. A value that does not
parse or is out of bounds fails that first use with ``InvalidSettings`` naming the variable. An empty
variable counts as unset. Whoever changes the environment of a running process (the tests, the local
stack, the admin CLI) calls ``reload()`` so that the next ``current()`` reads it again.

Plain classes and a few checks of our own, not a pydantic model: building the models' validators cost
5-8 ms of every cold start (pydantic-settings ~150 ms of imports), and even dataclasses cost about a
millisecond each to make.
"""

import json
import math
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Literal, TypeVar

# A hundred years: any longer is "for ever" (and past what a date can be moved back by); the template's
# RecordingRetentionDays MaxValue, and the longest an account's own retention may be.
MAX_RETENTION_DAYS = 36500


class InvalidSettings(ValueError):
    """The environment holds a value the functions cannot run with; the message names each variable."""


def _integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("must be an integer") from None


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _flag(value: str) -> bool:
    flags = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
    if value.lower() not in flags:
        raise ValueError("must be 1 or 0 (true or false)")
    return flags[value.lower()]


def _tracing(value: str) -> Literal["off", "on"]:
    if value == "on":
        return "on"
    if value == "off":
        return "off"
    raise ValueError('must be "off" or "on"')


def _routes(value: str) -> dict[str, list[str]]:
    """HTTP_ROUTES: a JSON object of path -> list of methods."""
    try:
        routes = json.loads(value)
    except ValueError:
        raise ValueError("must be JSON") from None
    if not isinstance(routes, dict) or not all(
        isinstance(methods, list) and all(isinstance(method, str) for method in methods) for methods in routes.values()
    ):
        raise ValueError("must be a JSON object of path to list of methods")
    return routes


def _parameter_path(prefix: str) -> str:
    """An SSM path prefix, kept without its trailing "/" (the parameter names add their own)."""
    prefix = prefix.rstrip("/")
    if not prefix.startswith("/"):
        raise ValueError('must be an SSM parameter path such as "/ringbridge/ringostat"')
    return prefix


class _Setting:
    """One setting: its default, how its variable's text is read, and its bounds."""

    # A plain class, as every class here: a dataclass costs each cold start about a millisecond to make.
    def __init__(
        self,
        default: Any,
        parse: Callable[[str], Any],
        variable: str | None,
        bounds: tuple[float | None, float | None, float | None],
    ) -> None:
        self.default, self.parse, self.variable, self.bounds = default, parse, variable, bounds

    def read(self, variable: str, text: str) -> Any:
        """The value of ``text``; ValueError naming ``variable`` and what is wrong (never the value: it is logged)."""
        try:
            value = self.parse(text)
        except ValueError as error:
            raise ValueError(f"{variable}: {error}") from None
        at_least, above, at_most = self.bounds
        if at_least is not None and value < at_least:
            raise ValueError(f"{variable}: must be at least {at_least:g}")
        if above is not None and value <= above:
            raise ValueError(f"{variable}: must be greater than {above:g}")
        if at_most is not None and value > at_most:
            raise ValueError(f"{variable}: must be at most {at_most:g}")
        return value


def _setting(
    default: Any,
    parse: Callable[[str], Any] = str,
    *,
    variable: str | None = None,
    at_least: float | None = None,
    above: float | None = None,
    at_most: float | None = None,
) -> Any:
    """A setting read from the variable named after its attribute in capitals (or ``variable``)."""
    return _Setting(default, parse, variable, (at_least, above, at_most))


class _Group:
    """Settings read together: each class attribute made by ``_setting`` is one. Read-only once made."""

    prefix = ""  # of the group's variables

    def __init__(self, **values: Any) -> None:
        for name, setting in self._settings():
            object.__setattr__(self, name, values.pop(name, setting.default))
        for name, value in values.items():  # the groups inside this one
            object.__setattr__(self, name, value)

    @classmethod
    def _settings(cls) -> list[tuple[str, _Setting]]:
        """The group's settings, its bases' first."""
        return [
            (name, value)
            for group in reversed(cls.__mro__)
            for name, value in vars(group).items()
            if isinstance(value, _Setting)
        ]

    @classmethod
    def read(cls, environment: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
        """The group's settings that ``environment`` sets, read; each problem goes to ``problems``."""
        values: dict[str, Any] = {}
        for name, setting in cls._settings():
            variable = setting.variable or cls.prefix + name.upper()
            if variable in environment:
                try:
                    values[name] = setting.read(variable, environment[variable])
                except ValueError as problem:
                    problems.append(str(problem))
        return values

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"the settings are read once per process; {name} cannot be changed")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{name}={value!r}' for name, value in vars(self).items())})"


T = TypeVar("T")


def _required(value: T | None, variable: str) -> T:
    if value is None:
        raise InvalidSettings(f"{variable}: not set (the function's Environment in template.yaml names it)")
    return value


class _Vendor(_Group):
    """What both vendors' clients share: where the API is, where the credentials are, waits and retries."""

    base_url: str
    parameter_prefix: str
    timeout_seconds: float = _setting(10.0, _number, above=0)
    backoff_seconds: float = _setting(1.0, _number, at_least=0)
    max_attempts: int = _setting(5, _integer, at_least=1)


class Ringostat(_Vendor):
    """The Ringostat sync and push (RINGOSTAT_*)."""

    prefix = "RINGOSTAT_"

    base_url = _setting("https://api.ringostat.net")
    parameter_prefix = _setting("/ringbridge/ringostat", _parameter_path)
    batch_size: int = _setting(100, _integer, at_least=1, at_most=1000)  # the template's RingostatBatchSize bounds
    safety_lag_seconds: float = _setting(30.0, _number, at_least=0)

    def auth_key_parameter(self, account_id: str) -> str:
        return f"{self.parameter_prefix}/{account_id}/auth-key"


class Ringcloud(_Vendor):
    """The RingCloud import and click-to-call (RINGCLOUD_*)."""

    prefix = "RINGCLOUD_"

    base_url = _setting("https://api.ringcloud.ru")
    parameter_prefix = _setting("/ringbridge/ringcloud", _parameter_path)

    def password_parameter(self, account_id: str, which: str) -> str:
        return f"{self.parameter_prefix}/{account_id}/{which}"


class Settings(_Group):
    """Every setting a function reads; the variable is the attribute's name in capitals."""

    # The stack's names. Globals give every function the table and the bucket, STACK_NAME and HTTP_ROUTES
    # go to the one function each that uses them: each is required where it is read, so a process without
    # one (the admin CLI on a table without its bucket) still runs with the rest.
    table_name_if_set: str | None = _setting(None, variable="TABLE_NAME")
    recordings_bucket_if_set: str | None = _setting(None, variable="RECORDINGS_BUCKET")
    stack_name_if_set: str | None = _setting(None, variable="STACK_NAME")
    http_routes_if_set: dict[str, list[str]] | None = _setting(None, _routes, variable="HTTP_ROUTES")

    # How long a warm function trusts a verified token before reading it again: it bounds how long a
    # revoked token keeps working there, in exchange for one DynamoDB round trip less per request.
    auth_cache_seconds: float = _setting(60.0, _number, at_least=0)
    # How long a deleted contact or note stays visible to the feeds (DynamoDB TTL removes it after).
    tombstone_retention_days: float = _setting(30.0, _number, at_least=1)
    # How far behind now a feed's timestamp stays, so writes still in flight are read on the next poll.
    feed_safety_lag_seconds: float = _setting(30.0, _number, at_least=0)
    recording_max_bytes: int = _setting(200 * 1024 * 1024, _integer, at_least=1)
    # The longest any account keeps a recording; 0: for ever (logic.recording_retention).
    recording_retention_days: int = _setting(0, _integer, at_least=0, at_most=MAX_RETENTION_DAYS)
    # The template's OAuthAccessTokenSeconds bounds.
    oauth_access_token_seconds: int = _setting(3600, _integer, at_least=60, at_most=86400)
    tracing: Literal["off", "on"] = _setting("off", _tracing)
    allow_local_downloads: bool = _setting(False, _flag)  # see loopback_downloads_allowed
    # Lambda sets this in every function: a process without it is local (the tests, the local stack, the CLI).
    aws_lambda_function_name: str | None = _setting(None)
    # boto3 reads it itself (an emulator's endpoint); here it only lengthens the clients' read timeout.
    aws_endpoint_url: str | None = _setting(None)
    # Powertools reads these (and its other POWERTOOLS_* variables) itself; these are the fallbacks for a
    # local process that imports ringbridge.observability before the template's environment is applied.
    powertools_service_name: str = _setting("ringbridge")
    powertools_metrics_namespace: str = _setting("ringbridge")

    ringostat: Ringostat
    ringcloud: Ringcloud

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
    environment = {name: value.strip() for name, value in os.environ.items() if value.strip()}
    problems: list[str] = []
    values = Settings.read(environment, problems)
    ringostat = Ringostat(**Ringostat.read(environment, problems))
    ringcloud = Ringcloud(**Ringcloud.read(environment, problems))
    if problems:
        raise InvalidSettings("; ".join(problems))
    return Settings(**values, ringostat=ringostat, ringcloud=ringcloud)


def reload() -> None:
    """Read the environment again at the next ``current()`` (after changing it in a running process)."""
    current.cache_clear()
