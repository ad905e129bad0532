"""RingostatPushFunction: the table's stream -> the changed contacts and organizations of configured accounts."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

from ringbridge import coldstart
from ringbridge.budget import Budget
from ringbridge.logic import ringostat_push
from ringbridge.observability import logger, publishes_metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@logger.inject_lambda_context
@publishes_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    coldstart.resume_gc()
    budget = Budget.for_lambda(context.get_remaining_time_in_millis())
    pushed = ringostat_push.push_changes(event.get("Records") or [], budget)
    return process_partial_response(event, pushed.check_delivered, processor, context)
