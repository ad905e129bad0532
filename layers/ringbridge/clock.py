"""Timestamps: ISO 8601 in UTC with millisecond precision, so they sort as strings.

Code that waits (rate-limit spacing, backoff) reads ``monotonic`` and calls ``sleep`` from here,
so a test can replace the three functions with a clock it moves by hand instead of sleeping.
"""

import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp into UTC; a naive one is taken as UTC. Raises ValueError.

    A time at the edge of the calendar with an offset (0001-01-01T00:00+14:00) has no UTC
    equivalent: that is a ValueError too, not an OverflowError.
    """
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("is outside the years 1 to 9999 in UTC") from None


def monotonic() -> float:
    return time.monotonic()


def sleep(seconds: float) -> None:
    time.sleep(seconds)
