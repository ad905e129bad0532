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
