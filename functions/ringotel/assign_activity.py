"""Ringotel hook AssignActivity: attach a call's activity to a contact."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path

from ringbridge import http
from ringbridge.auth import current_caller
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityAssign
from ringbridge.observability import logger

app = http.create_app()


@app.put(
    "/ringotel/activities/<activity_id>/contact",
    summary="Assign an activity to a contact",
    tags=["Ringotel"],
    responses={404: {"description": "No such activity"}, 422: {"description": "contact_id names no contact"}},
)
def assign_activity(
    activity_id: Annotated[str, Path(max_length=128, description="The activity id or Ringotel's call id")],
    assignment: ActivityAssign,
) -> Activity:
    return activities.assign_activity(current_caller(), activity_id, assignment)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
