"""Ringotel hook UpdateActivity: subject, comment and disposition of a call's activity."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path

from ringbridge import http
from ringbridge.auth import current_caller
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityUpdate
from ringbridge.observability import logger

app = http.create_app()


@app.put(
    "/ringotel/activities/<activity_id>",
    summary="Update an activity (only the fields sent)",
    tags=["Ringotel"],
    responses={
        404: {"description": "No such activity"},
        409: {"description": "Stale `version`; the body carries the current activity"},
    },
)
def update_activity(
    activity_id: Annotated[str, Path(max_length=128, description="The activity id or Ringotel's call id")],
    changes: ActivityUpdate,
) -> Activity:
    return activities.update_activity(current_caller(), activity_id, changes)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
