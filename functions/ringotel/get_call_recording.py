"""The recording of an activity, as a short-lived presigned URL (the bucket itself is never public)."""

from typing import Any

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import recordings
from ringbridge.models.activities import RecordingLink
from ringbridge.observability import logger

app = http.create_app()


@app.get(
    "/ringotel/activities/<activity_id>/recording",
    summary="A presigned URL of an activity's recording, valid for 5 minutes",
    tags=["Ringotel"],
    responses={
        200: http.ok(RecordingLink),
        **http.errors(
            404,
            410,
            s404="No such activity, or it has no recording",
            s410="The recording was deleted by the retention of recordings, or is older than it",
        ),
    },
)
def get_call_recording(
    activity_id: http.ActivityRef,
) -> RecordingLink:
    return recordings.recording_link(current_caller().account, activity_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
