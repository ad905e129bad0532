"""How much one run of a resumable job may do before it stops, leaving the rest to the next run."""

from ringbridge.budget import Budget, OutOfTime


class Allowance:
    """A run's time budget and, optionally, a number of steps (``--max-steps``: a run in small steps)."""

    def __init__(self, budget: Budget | None = None, max_steps: int | None = None) -> None:
        self._budget = budget
        self._steps_left = max_steps

    @property
    def budget(self) -> Budget | None:
        return self._budget

    def check(self) -> None:
        """Raises OutOfTime once the time is used up (reading on costs time, not steps)."""
        if self._budget is not None and self._budget.remaining() <= 0:
            raise OutOfTime

    def take(self) -> None:
        """Count one step about to be taken; raises OutOfTime, before doing it, once the run is used up."""
        self.check()
        if self._steps_left is not None:
            if self._steps_left <= 0:
                raise OutOfTime
            self._steps_left -= 1
