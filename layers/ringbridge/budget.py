"""A scheduled run's time budget: stop before the Lambda timeout, leaving time to record where it stopped."""

from ringbridge import clock


class Budget:
    """The run's time: it stops before the Lambda timeout, leaving time to record where it stopped."""

    def __init__(self, seconds: float) -> None:
        self._deadline = clock.monotonic() + seconds

    @classmethod
    def for_lambda(cls, remaining_millis: int) -> "Budget":
        remaining = remaining_millis / 1000
        return cls(remaining - min(10.0, remaining / 4))

    def remaining(self) -> float:
        return self._deadline - clock.monotonic()


class OutOfTime(Exception):
    """The run's budget ran out; what was accepted so far is recorded, the rest waits for the next run."""
