"""RingcloudImportFunction: on a schedule, import each configured account's completed calls and recordings."""

from typing import Any

from ringbridge import coldstart
from ringbridge.budget import Budget
from ringbridge.logic import ringcloud_import
from ringbridge.observability import logger, publishes_metrics


@logger.inject_lambda_context
@publishes_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    coldstart.resume_gc()
    logger.append_keys(scheduled_time=event.get("scheduled_time"), attempt=event.get("attempt"))
    return ringcloud_import.import_all(Budget.for_lambda(context.get_remaining_time_in_millis())).model_dump()
