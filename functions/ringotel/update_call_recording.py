"""Ringotel hook UpdateCallRecording: attach the call's recording (body, form file, or a URL to fetch)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path

from ringbridge import http, settings
from ringbridge.auth import current_caller
from ringbridge.logic import recordings
from ringbridge.models.activities import Activity
from ringbridge.observability import logger

app = http.create_app()


@app.put(
    "/ringotel/activities/<activity_id>/recording",
    summary="Upload or replace the recording of an activity",
    description="The audio as the raw body (`Content-Type: audio/...`), as the file of a `multipart/form-data` "
    'body, or `application/json` `{"url": "https://..."}`: the file is then downloaded (HTTPS, public '
    "addresses only, at most 3 redirects). Limit: RECORDING_MAX_BYTES (default 200 MiB). A body (raw or "
    "multipart) is bound by Lambda's 6 MB request limit: at most 4,706,304 bytes (about 4.5 MB) of audio once "
    "base64-encoded; send larger files by URL.",
    tags=["Ringotel"],
    responses={
        404: {"description": "No such activity"},
        413: {"description": "Over RECORDING_MAX_BYTES, or a body over what a Lambda request carries (use a URL)"},
        415: {"description": "Not audio"},
        422: {"description": "Empty, or the URL was refused or could not be downloaded"},
    },
)
def update_call_recording(
    activity_id: Annotated[str, Path(max_length=128, description="The activity id or Ringotel's call id")],
) -> Activity:
    event = app.current_event
    return recordings.store_upload(
        current_caller(), activity_id, http.decoded_body(event.raw_event), event.headers.get("content-type")
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context, max_body_bytes=settings.recording_max_bytes())
