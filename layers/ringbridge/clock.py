"""Time, read in one place: ISO 8601 timestamps in UTC with millisecond precision, so they sort as strings.

Every reading of the time goes through ``now()`` (wall clock) or ``monotonic()`` (intervals), so a test
can take control of both with ``manual()``: start at a given moment, move it with ``advance()``, or
have each reading move it by a step, which orders writes explicitly instead of by luck.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class ManualTime:
    """A clock that moves only when told to (and by ``step`` after each reading, when one is given)."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self._start = self._moment = start
        self._step = step
        self._monotonic_start = time.monotonic()  # so monotonic() goes on from where the real one was
        self._lock = threading.Lock()

    def read(self) -> datetime:
        with self._lock:
            moment = self._moment
            self._moment += self._step
            return moment

    def seconds(self) -> float:
        with self._lock:
            return self._monotonic_start + (self._moment - self._start).total_seconds()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._moment += timedelta(seconds=seconds)


_manual: ManualTime | None = None


def now() -> datetime:
    return _manual.read() if _manual is not None else datetime.now(UTC)


def monotonic() -> float:
    """Seconds for measuring intervals (deadlines, caches); moves with the manual clock when there is one."""
    return _manual.seconds() if _manual is not None else time.monotonic()


@contextmanager
def manual(start: datetime | None = None, step: timedelta = timedelta(0)) -> Iterator[ManualTime]:
    """Within the block, the clock is a ``ManualTime`` starting at ``start`` (default: the real now)."""
    global _manual
    previous = _manual
    _manual = ManualTime(start or datetime.now(UTC), step)
    try:
        yield _manual
    finally:
        _manual = previous


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


def sleep(seconds: float) -> None:
    """Wait (retry backoff, rate-limit spacing); tests that move the clock by hand replace it."""
    time.sleep(seconds)
