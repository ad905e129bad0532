"""RingostatSyncFunction: on a schedule, push each configured account's changed organizations and contacts."""

from typing import Any

from ringbridge import coldstart, observability
from ringbridge.budget import Budget
from ringbridge.logic import ringostat_sync
from ringbridge.observability import logger, publishes_metrics


@logger.inject_lambda_context
@publishes_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    coldstart.resume_gc()
    observability.start_tracing()
    logger.append_keys(scheduled_time=event.get("scheduled_time"), attempt=event.get("attempt"))
    result = ringostat_sync.sync_all(Budget.for_lambda(context.get_remaining_time_in_millis()))
    return result.model_dump()
