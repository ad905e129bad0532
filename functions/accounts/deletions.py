"""AccountDeletionFunction: on a schedule, continue the account deletions `delete-account` started.

A deletion stopped by the command's end (``--no-wait``, ``--max-steps``, an interruption) or waiting for
its last sweep goes on here, a time budget at a time, until it is complete (docs/data-lifecycle.md).
"""

from typing import Any

from ringbridge import coldstart
from ringbridge.budget import Budget
from ringbridge.logic import account_deletion
from ringbridge.logic.allowance import Allowance
from ringbridge.observability import logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    coldstart.resume_gc()
    allowance = Allowance(Budget.for_lambda(context.get_remaining_time_in_millis()))
    runs = account_deletion.continue_pending(allowance)
    for deletion in runs:
        logger.info("Account deletion", extra={"deletion": deletion.model_dump()})
    return {"deletions": [deletion.model_dump() for deletion in runs]}
