"""Ringotel hook CreateActivity: a call started. A retry with the same call_id answers the same activity."""

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityCreate
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/ringotel/activities",
    summary="Create the activity of a call, matched to the other party's contact",
    description="Without `contact_id`, the contact whose number is the caller's (inbound) or the called "
    "party's (outbound) is assigned, as FindContact would find it. `call_id` is unique per account: a retry "
    "answers 200 with the activity already created.",
    tags=["Ringotel"],
    responses={
        200: http.ok(Activity, "A retry: the activity of this call_id"),
        201: http.ok(Activity, "Created"),
        **http.errors(409),
    },
)
def create_activity(activity: ActivityCreate) -> Response[Activity]:
    created, is_new = activities.create_activity(current_caller().account, activity)
    return Response(status_code=201 if is_new else 200, content_type=http.JSON, body=created)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
