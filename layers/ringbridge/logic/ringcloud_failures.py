"""RingCloud calls that failed to import, or whose recording failed: when to try again, when to stop.

A call that fails (it cannot be read, its write is refused, its recording cannot be fetched or
stored) is tried again by a later run after a wait that doubles each time (5, 10, 20, 40 minutes);
after MAX_ATTEMPTS failures it is parked: left alone, listed in the account's status, counted in the
CallsParked metric. The log lives in the account's status item, read with the config when the
account's run starts and written with its outcome: no round trip of its own. It keeps the calls
still in the import's window, at most MAX_KEPT of them (the latest failures).
"""

from datetime import timedelta
from typing import Any, Literal

from ringbridge import clock
from ringbridge.models.ringcloud import FailingCall

MAX_ATTEMPTS = 5
FIRST_WAIT = timedelta(minutes=5)  # the schedule's default interval: the next run tries again
MAX_KEPT = 100  # about 35 KB of the status item at most
PROBLEM_LIMIT = 200
STARTED_AT_LIMIT = 40


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FailureLog:
    def __init__(self, stored: list[dict[str, Any]]) -> None:
        self._calls = {entry["call_id"]: FailingCall(**entry) for entry in stored}

    def waiting(self, call_id: str) -> bool:
        """Whether this run leaves the call alone: parked, or its next attempt is not due yet."""
        entry = self._calls.get(call_id)
        if entry is None:
            return False
        return entry.parked or (entry.next_attempt_at or "") > clock.now_iso()

    def failed(self, call_id: str, started_at: str, part: Literal["call", "recording"], problem: str) -> FailingCall:
        previous = self._calls.pop(call_id, None)
        attempts = (previous.attempts if previous else 0) + 1
        parked = attempts >= MAX_ATTEMPTS
        entry = FailingCall(
            call_id=call_id,
            started_at=bounded(started_at, STARTED_AT_LIMIT),
            part=part,
            attempts=attempts,
            problem=bounded(problem, PROBLEM_LIMIT),
            next_attempt_at=None if parked else clock.iso(clock.now() + FIRST_WAIT * 2 ** (attempts - 1)),
            parked=parked,
        )
        self._calls[call_id] = entry  # last: the latest failures are the ones kept
        return entry

    def succeeded(self, call_id: str) -> None:
        self._calls.pop(call_id, None)

    def kept(self, in_window: set[str] | None) -> list[dict[str, Any]]:
        """What the status keeps: the calls still in the window (all, when the window was not read)."""
        entries = [e for e in self._calls.values() if in_window is None or e.call_id in in_window]
        return [entry.model_dump() for entry in entries[-MAX_KEPT:]]
