"""The one retry policy: for work that may fail for a while (a vendor's 429 or 5xx, a timeout), and for a
write that lost a race.

The wait after a failed attempt is the vendor's Retry-After when it sent one; else exponential
backoff with full jitter: a random time between 0 and ``backoff_seconds * 2 ** (attempt - 1)``, at most
MAX_BACKOFF_SECONDS. Full jitter, so that clients that failed together do not come back together.
Every wait must leave the run's budget MIN_REQUEST_SECONDS for the attempt after it.

A write whose transaction was cancelled because another one came first is tried again at once
(waiting would not help: the other write is done) with what is stored now, WRITE_ATTEMPTS times in all.
"""

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # FindContact imports this module for WRITE_ATTEMPTS only: it never loads budget
    from ringbridge.budget import Budget

MIN_REQUEST_SECONDS = 0.5  # no point starting a request with less time than this left
MAX_BACKOFF_SECONDS = 30.0
WRITE_ATTEMPTS = 3

Item = TypeVar("Item")
T = TypeVar("T")


class GaveUp(Exception):
    """No further attempt; the message says why."""


class RetryPolicy:
    # A plain class, not a dataclass: making one would cost FindContact's cold start a millisecond.
    def __init__(self, max_attempts: int, backoff_seconds: float) -> None:
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds

    def wait(self, attempt: int, retry_after: float | None, budget: "Budget") -> float:
        """Seconds to wait before the attempt after ``attempt`` (the first is 1), which failed.

        Raises GaveUp when the attempts are spent or the vendor's Retry-After outlasts the budget;
        OutOfTime when our own backoff would.
        """
        from ringbridge.budget import OutOfTime

        if attempt >= self.max_attempts:
            raise GaveUp(f"gave up after {attempt} attempts")
        if retry_after is not None:
            if retry_after > budget.remaining() - MIN_REQUEST_SECONDS:
                raise GaveUp(f"asked to retry after {retry_after:.0f} s")
            return retry_after
        ceiling = min(MAX_BACKOFF_SECONDS, self.backoff_seconds * 2 ** (attempt - 1))
        delay = random.uniform(0, ceiling)  # noqa: S311 - jitter, not a secret
        if delay > budget.remaining() - MIN_REQUEST_SECONDS:
            raise OutOfTime
        return delay


def until_written(attempt: Callable[[], T], *, lost_race: type[Exception], conflict: Exception) -> T:
    """What ``attempt`` answers: it reads what is stored, checks it and writes on that condition. Each time
    its write loses a race (raises ``lost_race``) it runs again on what is stored now; after WRITE_ATTEMPTS
    lost races, raises ``conflict``."""
    for _ in range(WRITE_ATTEMPTS):
        try:
            return attempt()
        except lost_race:
            continue
    raise conflict


def rewrite(
    item: Item,
    write: Callable[[Item], None],
    read_again: Callable[[Item], Item | None],
    *,
    lost_race: type[Exception],
    conflict: Exception,
) -> bool:
    """Write ``item`` as given (already read: no second read); after a lost race, as ``read_again`` finds it
    now. True once written; False when ``read_again`` answers None (the item no longer needs this write)."""
    given = iter([item])

    def attempt() -> bool:
        current = next(given, None) or read_again(item)
        if current is None:
            return False
        write(current)
        return True

    return until_written(attempt, lost_race=lost_race, conflict=conflict)
