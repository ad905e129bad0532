"""One scheduled run over many accounts (the Ringostat sync, the RingCloud import), and each account's state.

The accounts come in the registry's order, least recently run first (dal.registry), so an account that
a short run never reached is among the first of the next. Each account runs in turn while the run's
budget leaves ``min_seconds``; running out of time stops the run. Whatever else one account's run raises
is logged and the next account runs: one account's failure never stops the others.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ringbridge.budget import Budget, OutOfTime
from ringbridge.errors import described
from ringbridge.observability import logger

State = TypeVar("State", bound=BaseModel)
# How ``states`` shows a stored part it cannot read: no configuration; the status of an account never run.
UNREAD: dict[str, Any] = {"config": None, "status": {}}


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


def states(model: type[State], stored: Iterable[Mapping[str, Any]]) -> list[State]:
    """Each account's stored ``config`` and ``status`` as ``model``. A part that no longer reads (stored by an
    earlier version, or edited by hand) is shown as not there, and ``problem`` says why: one account's old item
    neither hides the others nor keeps its own account from being shown."""
    shown = []
    for each in stored:
        try:
            shown.append(model.model_validate(each))
        except ValidationError as error:
            refused = error.errors()
            unread = {part: UNREAD[part] for part in {str(bad["loc"][0]) for bad in refused}}
            problem = "; ".join(described(bad) for bad in refused)
            shown.append(model.model_validate({**each, **unread, "problem": problem}))
    return shown
