"""Ringotel hook StopCallActivity: the call ended. Idempotent; a stop may come before its start."""

from typing import Any

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityStop
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/ringotel/activities/<activity_id>/stop",
    summary="Complete a call's activity (end time, duration, cause)",
    description="Stopping a completed activity changes nothing. A call id that has no activity yet (the stop "
    "came first) records the stop; the later CreateActivity of that call_id completes the same activity.",
    tags=["Ringotel"],
    responses={200: http.ok(Activity), **http.errors(404, 409, s404="No activity has this activity id")},
)
def stop_call_activity(
    activity_id: http.ActivityRef,
    stop: ActivityStop,
) -> Activity:
    return activities.stop_activity(current_caller().account, activity_id, stop)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
