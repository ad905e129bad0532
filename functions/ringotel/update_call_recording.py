"""Ringotel hook UpdateCallRecording: attach the call's recording (body, form file, or a URL to fetch)."""

from typing import Any

from ringbridge import http, settings
from ringbridge.caller import current_caller
from ringbridge.logic import recordings
from ringbridge.models.activities import Activity
from ringbridge.observability import logger

app = http.create_app()
# The handler reads the raw body itself, so its shapes are documented by hand. Untyped bytes whose
# audio type is sniffed, and JSON `{"url"}`, work too (see the description); they are left out here:
# the first is audio only if its bytes say so, and the fuzzer, which generates from this document,
# must never make the stack download from made-up hosts.
_AUDIO = {"schema": {"type": "string", "format": "binary"}}
RECORDING_BODY = {
    "required": True,
    "content": {
        "audio/mpeg": _AUDIO,
        "audio/wav": _AUDIO,
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
            "encoding": {"file": {"contentType": "audio/mpeg"}},
        },
    },
}


@app.put(
    "/ringotel/activities/<activity_id>/recording",
    summary="Upload or replace the recording of an activity",
    description="The audio as the raw body (`Content-Type: audio/...`), as the file of a `multipart/form-data` "
    'body, or `application/json` `{"url": "https://..."}`: the file is then downloaded (HTTPS, public '
    "addresses only, at most 3 redirects). Limit: RECORDING_MAX_BYTES (default 200 MiB). A body (raw or "
    "multipart) is bound by Lambda's 6 MB request limit: at most 4,706,304 bytes (about 4.5 MB) of audio once "
    "base64-encoded; send larger files by URL.",
    tags=["Ringotel"],
    openapi_extensions={"requestBody": RECORDING_BODY},
    responses={
        200: http.ok(Activity),
        **http.errors(
            400,
            404,
            409,
            410,
            413,
            415,
            422,
            s400="A JSON body that is not JSON",
            s404="No such activity",
            s410="The retention of recordings deleted this call's recording (or it is past it): none can be stored",
            s413="Over RECORDING_MAX_BYTES, or a body over what a Lambda request carries (use a URL)",
            s415="Not audio",
            s422="Empty, or the URL was refused or could not be downloaded",
        ),
    },
)
def update_call_recording(
    activity_id: http.ActivityRef,
) -> Activity:
    event = app.current_event
    return recordings.store_upload(
        current_caller().account, activity_id, http.decoded_body(event.raw_event), event.headers.get("content-type")
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context, max_body_bytes=settings.current().recording_max_bytes)
