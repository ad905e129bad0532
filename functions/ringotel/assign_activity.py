"""Ringotel hook AssignActivity: attach a call's activity to a contact."""

from typing import Any

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityAssign
from ringbridge.observability import logger

app = http.create_app()


@app.put(
    "/ringotel/activities/<activity_id>/contact",
    summary="Assign an activity to a contact",
    tags=["Ringotel"],
    responses={
        200: http.ok(Activity),
        **http.errors(404, 409, s404="No such activity", s422="contact_id names no contact"),
    },
)
def assign_activity(
    activity_id: http.ActivityRef,
    assignment: ActivityAssign,
) -> Activity:
    return activities.assign_activity(current_caller().account, activity_id, assignment)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
