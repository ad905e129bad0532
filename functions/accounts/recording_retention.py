"""RecordingRetentionFunction: daily, delete the recordings older than their account's retention.

Every account with recordings is swept, a time budget at a time; a run that stops is continued by the
next from where it got (docs/data-lifecycle.md, "Recording retention").
"""

from typing import Any

from ringbridge import coldstart
from ringbridge.budget import Budget
from ringbridge.logic import recording_retention
from ringbridge.logic.allowance import Allowance
from ringbridge.observability import logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    coldstart.resume_gc()
    allowance = Allowance(Budget.for_lambda(context.get_remaining_time_in_millis()))
    run = recording_retention.sweep_accounts(allowance)
    for sweep in run.accounts:
        logger.info("Recording retention", extra={"sweep": sweep.model_dump()})
    return run.model_dump()
