"""The functions' settings: defaults, bounds, and a refusal that names the variable (ringbridge.settings)."""

import os
from operator import attrgetter

import pytest

from ringbridge import settings
from ringbridge.settings import InvalidSettings, Settings


@pytest.fixture
def environment(monkeypatch):
    """An empty environment; ``read(**variables)`` sets some and answers the settings read anew."""
    for name in list(os.environ):
        monkeypatch.delenv(name)

    def read(**variables: str) -> Settings:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        settings.reload()
        return settings.current()

    return read


def test_the_defaults(environment):
    read = environment()

    assert (read.auth_cache_seconds, read.feed_safety_lag_seconds) == (60, 30)
    assert read.tombstone_retention_seconds == 30 * 86400
    assert read.recording_max_bytes == 200 * 1024 * 1024
    assert read.recording_retention_days == 0
    assert read.oauth_access_token_seconds == 3600
    assert (read.tracing_enabled, read.loopback_downloads_allowed, read.in_lambda) == (False, False, False)
    assert (read.powertools_service_name, read.powertools_metrics_namespace) == ("ringbridge", "ringbridge")
    vendors = [
        (vendor.base_url, vendor.parameter_prefix, vendor.timeout_seconds, vendor.backoff_seconds, vendor.max_attempts)
        for vendor in (read.ringostat, read.ringcloud)
    ]
    assert vendors == [
        ("https://api.ringostat.net", "/ringbridge/ringostat", 10, 1, 5),
        ("https://api.ringcloud.ru", "/ringbridge/ringcloud", 10, 1, 5),
    ]
    assert (read.ringostat.batch_size, read.ringostat.safety_lag_seconds) == (100, 30)
    assert read.ringostat.auth_key_parameter("A1") == "/ringbridge/ringostat/A1/auth-key"
    assert read.ringcloud.password_parameter("A1", "password") == "/ringbridge/ringcloud/A1/password"


def test_an_empty_variable_counts_as_unset(environment):
    read = environment(RINGOSTAT_BATCH_SIZE="", AUTH_CACHE_SECONDS=" ")

    assert (read.ringostat.batch_size, read.auth_cache_seconds) == (100, 60)


def test_each_vendor_reads_its_own_variables(environment):
    read = environment(RINGOSTAT_MAX_ATTEMPTS="2", RINGCLOUD_MAX_ATTEMPTS="3", RINGCLOUD_BASE_URL="http://127.0.0.1:9")

    assert (read.ringostat.max_attempts, read.ringcloud.max_attempts) == (2, 3)
    assert read.ringostat.base_url == "https://api.ringostat.net"
    assert read.ringcloud.base_url == "http://127.0.0.1:9"


# (variable, where the settings hold it, its limit, the value just past it)
BOUNDS = [
    ("RINGOSTAT_BATCH_SIZE", "ringostat.batch_size", "1", "0"),
    ("RINGOSTAT_BATCH_SIZE", "ringostat.batch_size", "1000", "1001"),
    ("RINGOSTAT_MAX_ATTEMPTS", "ringostat.max_attempts", "1", "0"),
    ("RINGCLOUD_MAX_ATTEMPTS", "ringcloud.max_attempts", "1", "0"),
    ("RINGOSTAT_TIMEOUT_SECONDS", "ringostat.timeout_seconds", "0.001", "0"),
    ("RINGCLOUD_TIMEOUT_SECONDS", "ringcloud.timeout_seconds", "0.001", "0"),
    ("RINGOSTAT_BACKOFF_SECONDS", "ringostat.backoff_seconds", "0", "-0.001"),
    ("RINGCLOUD_BACKOFF_SECONDS", "ringcloud.backoff_seconds", "0", "-0.001"),
    ("RINGOSTAT_SAFETY_LAG_SECONDS", "ringostat.safety_lag_seconds", "0", "-0.001"),
    ("AUTH_CACHE_SECONDS", "auth_cache_seconds", "0", "-0.001"),
    ("FEED_SAFETY_LAG_SECONDS", "feed_safety_lag_seconds", "0", "-0.001"),
    ("TOMBSTONE_RETENTION_DAYS", "tombstone_retention_days", "1", "0.999"),
    ("RECORDING_MAX_BYTES", "recording_max_bytes", "1", "0"),
    ("RECORDING_RETENTION_DAYS", "recording_retention_days", "0", "-1"),
    ("RECORDING_RETENTION_DAYS", "recording_retention_days", "36500", "36501"),
    ("OAUTH_ACCESS_TOKEN_SECONDS", "oauth_access_token_seconds", "60", "59"),
    ("OAUTH_ACCESS_TOKEN_SECONDS", "oauth_access_token_seconds", "86400", "86401"),
]


@pytest.mark.parametrize(("variable", "held_at", "limit", "past"), BOUNDS)
def test_a_value_at_its_limit_is_read_and_one_past_it_refused_naming_the_variable(
    environment, variable, held_at, limit, past
):
    assert attrgetter(held_at)(environment(**{variable: limit})) == float(limit)

    with pytest.raises(
        InvalidSettings, match=rf"^{variable}: must be (at least {limit}|at most {limit}|greater than 0)$"
    ):
        environment(**{variable: past})


def test_a_value_that_does_not_parse_is_refused_at_the_first_use_naming_every_variable(environment):
    with pytest.raises(InvalidSettings) as refused:
        environment(
            RINGOSTAT_BATCH_SIZE="abc",
            TRACING="yes",
            AUTH_CACHE_SECONDS="nan",
            ALLOW_LOCAL_DOWNLOADS="maybe",
            RINGCLOUD_TIMEOUT_SECONDS="ten",
        )

    assert str(refused.value) == (
        "AUTH_CACHE_SECONDS: must be a finite number; "
        'TRACING: must be "off" or "on"; '
        "ALLOW_LOCAL_DOWNLOADS: must be 1 or 0 (true or false); "
        "RINGOSTAT_BATCH_SIZE: must be an integer; "
        "RINGCLOUD_TIMEOUT_SECONDS: must be a number"
    )


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        *((word, True) for word in ("1", "true", "TRUE", "Yes", "yes", "on", "On")),
        *((word, False) for word in ("0", "false", "False", "no", "NO", "off", "OFF")),
    ],
)
def test_loopback_downloads_follow_the_flag_outside_lambda_only(environment, value, allowed):
    assert environment(ALLOW_LOCAL_DOWNLOADS=value).loopback_downloads_allowed is allowed
    assert environment(ALLOW_LOCAL_DOWNLOADS=value, AWS_LAMBDA_FUNCTION_NAME="Hook").loopback_downloads_allowed is False


def test_the_stacks_own_values_are_read(environment):
    read = environment(
        TRACING="on",
        RECORDING_RETENTION_DAYS="30",
        POWERTOOLS_SERVICE_NAME="crm",
        AWS_ENDPOINT_URL="http://127.0.0.1:5000",
    )

    assert (read.tracing_enabled, read.recording_retention_days, read.powertools_service_name) == (True, 30, "crm")
    assert read.aws_endpoint_url == "http://127.0.0.1:5000"
    assert isinstance(read.recording_retention_days, int)


def test_a_parameter_prefix_loses_its_trailing_slash_and_must_be_a_path(environment):
    read = environment(RINGOSTAT_PARAMETER_PREFIX="/prod/ringostat/", RINGCLOUD_PARAMETER_PREFIX="/prod/PBX//")
    assert read.ringostat.auth_key_parameter("A1") == "/prod/ringostat/A1/auth-key"
    assert read.ringcloud.password_parameter("A1", "password") == "/prod/PBX/A1/password"

    with pytest.raises(InvalidSettings) as refused:
        environment(RINGCLOUD_PARAMETER_PREFIX="prod/ringcloud")
    assert str(refused.value) == (
        'RINGCLOUD_PARAMETER_PREFIX: must be an SSM parameter path such as "/ringbridge/ringostat"'
    )


def test_a_stack_name_is_required_only_where_it_is_read(environment):
    read = environment(TABLE_NAME="crm-table")
    assert read.table_name == "crm-table"

    for name, variable in (("recordings_bucket", "RECORDINGS_BUCKET"), ("stack_name", "STACK_NAME")):
        with pytest.raises(InvalidSettings, match=rf"^{variable}: not set"):
            getattr(read, name)


def test_the_routes_table_is_json(environment):
    assert environment(HTTP_ROUTES='{"/ringio/notes": ["GET", "POST"]}').http_routes == {
        "/ringio/notes": ["GET", "POST"]
    }

    with pytest.raises(InvalidSettings, match=r"^HTTP_ROUTES: must be JSON$"):
        environment(HTTP_ROUTES="/ringio/notes: GET")
    for not_a_table in ('["/ringio/notes"]', '{"/ringio/notes": "GET"}', '{"/ringio/notes": [1]}'):
        with pytest.raises(InvalidSettings, match=r"^HTTP_ROUTES: must be a JSON object of path to list of methods$"):
            environment(HTTP_ROUTES=not_a_table)


def test_the_settings_cannot_be_changed_in_place(environment):
    with pytest.raises(AttributeError):
        environment().auth_cache_seconds = 0


def test_read_once_until_reloaded(environment, monkeypatch):
    first = environment(RINGOSTAT_BATCH_SIZE="5")
    monkeypatch.setenv("RINGOSTAT_BATCH_SIZE", "abc")

    assert settings.current() is first  # a warm function does not read (nor fail on) its environment again
    with pytest.raises(InvalidSettings, match=r"^RINGOSTAT_BATCH_SIZE"):
        settings.reload()
        settings.current()


def test_a_group_of_settings_shows_each_of_its_values_by_name():
    assert repr(settings.Ringostat(batch_size=7)) == (
        "Ringostat(timeout_seconds=10.0, backoff_seconds=1.0, max_attempts=5, base_url='https://api.ringostat.net', "
        "parameter_prefix='/ringbridge/ringostat', batch_size=7, safety_lag_seconds=30.0)"
    )
