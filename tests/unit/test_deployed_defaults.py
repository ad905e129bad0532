"""The defaults a deployed function runs with: the code's, and the template's parameters, which must agree.

Tests and the local stack set their own values for some of these, so without these tests a default
could drift (a feed lag of 0, an unbounded token cache) and nothing would notice before production.
"""

import pytest

from ringbridge import settings
from ringbridge_tools.local import template

# setting -> (environment variable, template parameter, what the code answers without it)
DEFAULTS = {
    "feed_safety_lag_seconds": ("FEED_SAFETY_LAG_SECONDS", "FeedSafetyLagSeconds", 30.0),
    "auth_cache_seconds": ("AUTH_CACHE_SECONDS", "AuthCacheSeconds", 60.0),
    "tombstone_retention_seconds": ("TOMBSTONE_RETENTION_DAYS", "TombstoneRetentionDays", 30 * 86400),
    "recording_max_bytes": ("RECORDING_MAX_BYTES", "RecordingMaxBytes", 200 * 1024 * 1024),
}


@pytest.fixture
def deployed(monkeypatch):
    """A function's environment without any of the values tests and the local stack set."""
    for variable, _, _ in DEFAULTS.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("ALLOW_LOCAL_DOWNLOADS", raising=False)


@pytest.mark.parametrize("setting", DEFAULTS)
def test_the_code_defaults(deployed, setting):
    assert getattr(settings.current(), setting) == DEFAULTS[setting][2]


def test_the_defaults_keep_their_guarantees(deployed):
    # A feed's timestamp stays at least 30 s behind now, so slow commits are read on the next poll
    assert settings.current().feed_safety_lag_seconds >= 30
    # A revoked token stops working within minutes
    assert 0 < settings.current().auth_cache_seconds <= 300
    # Deletions stay visible to the feeds for 30 days
    assert settings.current().tombstone_retention_seconds == 30 * 24 * 3600
    # Plain HTTP and loopback downloads are off
    assert settings.current().loopback_downloads_allowed is False


@pytest.mark.parametrize("setting", DEFAULTS)
def test_the_template_parameter_defaults_agree_with_the_code(setting):
    variable, parameter, code_default = DEFAULTS[setting]
    declared = template.load()["Parameters"][parameter]["Default"]
    in_code_units = float(declared) * 86400 if variable.endswith("_DAYS") else float(declared)

    assert in_code_units == code_default


@pytest.mark.parametrize("setting", DEFAULTS)
def test_the_template_passes_each_parameter_to_the_functions_that_read_it(setting):
    variable, parameter, _ = DEFAULTS[setting]
    loaded = template.load()
    sources = [loaded.get("Globals", {}).get("Function", {})]
    sources += [resource["Properties"] for resource in template.resources("AWS::Serverless::Function").values()]
    wired = [source.get("Environment", {}).get("Variables", {}).get(variable) for source in sources]

    assert {"Ref": parameter} in wired, wired
    assert all(value in (None, {"Ref": parameter}) for value in wired), wired


@pytest.mark.parametrize(
    ("environment", "allowed"),
    [
        ({}, False),
        ({"ALLOW_LOCAL_DOWNLOADS": "1"}, True),
        ({"ALLOW_LOCAL_DOWNLOADS": "0"}, False),
        ({"ALLOW_LOCAL_DOWNLOADS": "1", "AWS_LAMBDA_FUNCTION_NAME": "ringbridge-UpdateCallRecording"}, False),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, False),
    ],
)
def test_local_downloads_are_an_explicit_setting_never_on_inside_lambda(monkeypatch, environment, allowed):
    for name in ("ALLOW_LOCAL_DOWNLOADS", "AWS_LAMBDA_FUNCTION_NAME", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert settings.current().loopback_downloads_allowed is allowed
