"""Configuration read from the function's environment (set by template.yaml)."""

import os
from functools import cache


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
    """ALLOW_LOCAL_DOWNLOADS=1: recordings may come by plain HTTP from loopback (the local stack's file servers).

    Only the local stack and the tests set it. Inside Lambda (AWS_LAMBDA_FUNCTION_NAME is always set
    there) it is ignored, so a deployed function can never be told to fetch from its own host.
    """
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return False
    return os.environ.get("ALLOW_LOCAL_DOWNLOADS", "").strip().lower() in ("1", "true", "yes")


def oauth_access_token_seconds() -> int:
    """How long an OAuth2 access token works (the OAuthAccessTokenSeconds stack parameter)."""
    return int(os.environ.get("OAUTH_ACCESS_TOKEN_SECONDS", "3600"))


def tracing_enabled() -> bool:
    """The stack's Tracing parameter: "on" turns on X-Ray and the Powertools Tracer."""
    return os.environ.get("TRACING", "off") == "on"
