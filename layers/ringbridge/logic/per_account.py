"""One scheduled run over many accounts (the Ringostat sync, the RingCloud import).

The accounts come in the registry's order, least recently run first (dal.registry), so an account that
a short run never reached is among the first of the next. Each account runs in turn while the run's
budget leaves ``min_seconds``; running out of time stops the run. Whatever else one account's run raises
is logged and the next account runs: one account's failure never stops the others.
"""

from collections.abc import Callable, Iterable

from ringbridge.budget import Budget, OutOfTime
from ringbridge.observability import logger


def run_each(
    what: str,
    account_ids: Iterable[str],
    budget: Budget,
    min_seconds: float,
    run_one: Callable[[str], None],
    describe: Callable[[Exception], str] = lambda error: f"an unexpected {type(error).__name__}",
) -> bool:
    """``run_one`` for each account; True when the run stopped early, out of time. ``describe`` says what
    may be logged of an error (by default its kind only: its text could carry a URL or a credential)."""
    for account_id in account_ids:
        try:
            if budget.remaining() < min_seconds:
                raise OutOfTime
            run_one(account_id)
        except OutOfTime:
            logger.warning(f"{what} stopped: the run's time budget ran out", extra={"account_id": account_id})
            return True
        except Exception as error:  # e.g. the status could not be written: the other accounts still run
            logger.error(f"{what} of an account failed", extra={"account_id": account_id, "error": describe(error)})
    return False
