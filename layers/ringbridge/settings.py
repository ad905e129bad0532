"""Configuration read from the function's environment (set by template.yaml)."""

import os
from functools import cache
from urllib.parse import urlsplit


@cache
def table_name() -> str:
    return os.environ["TABLE_NAME"]


@cache
def recordings_bucket() -> str:
    return os.environ["RECORDINGS_BUCKET"]


def auth_cache_seconds() -> float:
    """How long a warm function trusts a verified token before reading it again.

    This bounds how long a revoked token keeps working in an already-warm function,
    in exchange for one DynamoDB round trip less per request.
    """
    return float(os.environ.get("AUTH_CACHE_SECONDS", "60"))


def tombstone_retention_seconds() -> int:
    """How long a deleted contact or note stays visible to the feeds (DynamoDB TTL removes it after)."""
    return int(float(os.environ.get("TOMBSTONE_RETENTION_DAYS", "30")) * 86400)


def feed_safety_lag_seconds() -> float:
    """How far behind now a feed's ``timestamp`` stays, so writes still in flight are read on the next poll."""
    return float(os.environ.get("FEED_SAFETY_LAG_SECONDS", "30"))


def recording_max_bytes() -> int:
    return int(os.environ.get("RECORDING_MAX_BYTES", 200 * 1024 * 1024))


def loopback_downloads_allowed() -> bool:
    """Local mode: AWS itself is an emulator on this machine, so a loopback file server is ours too.

    Deployed functions never have AWS_ENDPOINT_URL, so there loopback and plain HTTP are refused.
    """
    return urlsplit(os.environ.get("AWS_ENDPOINT_URL", "")).hostname in ("127.0.0.1", "localhost", "::1")


def oauth_access_token_seconds() -> int:
    """How long an OAuth2 access token works (the OAuthAccessTokenSeconds stack parameter)."""
    return int(os.environ.get("OAUTH_ACCESS_TOKEN_SECONDS", "3600"))


def tracing_enabled() -> bool:
    """The stack's Tracing parameter: "on" turns on X-Ray and the Powertools Tracer."""
    return os.environ.get("TRACING", "off") == "on"
