"""Ringotel hook UpdateActivity: subject, comment and disposition of a call's activity."""

from typing import Any

from pydantic import Field

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityUpdate
from ringbridge.models.errors import ConflictBody
from ringbridge.observability import logger

app = http.create_app()


class ActivityConflict(ConflictBody):
    activity: Activity | None = Field(default=None, description="The current activity, when the version sent was stale")


@app.put(
    "/ringotel/activities/<activity_id>",
    summary="Update an activity (only the fields sent)",
    tags=["Ringotel"],
    responses={
        200: http.ok(Activity),
        **http.errors(404, s404="No such activity"),
        **http.conflict(
            ActivityConflict, "Stale `version` (the body carries the current activity), or a concurrent change"
        ),
    },
)
def update_activity(
    activity_id: http.ActivityRef,
    changes: ActivityUpdate,
) -> Activity:
    return activities.update_activity(current_caller().account, activity_id, changes)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
