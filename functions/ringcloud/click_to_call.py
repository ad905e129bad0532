"""RingcloudClickToCallFunction: start a call from the CRM through RingCloud (rw token)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader

from ringbridge import http
from ringbridge.auth import current_caller
from ringbridge.logic import ringcloud_calls
from ringbridge.models.ringcloud import CallStarted, ClickToCall, ErrorBody
from ringbridge.observability import logger

app = http.create_app()


def _error(description: str, headers: dict[str, OpenAPIResponseHeader] | None = None) -> OpenAPIResponse:
    """An error answer with the shared error body."""
    response: OpenAPIResponse = {"description": description, "content": {http.JSON: {"model": ErrorBody}}}
    if headers:
        response["headers"] = headers
    return response


@app.post(
    "/ringcloud/calls",
    summary="Start a call: RingCloud rings the user's phone, then dials the number",
    description="`user_id` is a CRM user id or a CRM user's extension; give `number` or `contact_id` (its first "
    "number). RingCloud allows one call per 5 s per key: a request inside that window answers 429 with "
    "`Retry-After` and is not sent to RingCloud.",
    tags=["RingCloud"],
    responses={
        202: {"description": "Sent to RingCloud: what was sent", "content": {http.JSON: {"model": CallStarted}}},
        400: _error("The body is not valid JSON"),
        403: _error("Missing, invalid or read-only token"),
        409: _error("RingCloud is not configured for this account, or its config has no RW key"),
        413: _error("The body is too large"),
        422: _error("A field is wrong: an unknown user or contact, a number that does not parse, ..."),
        429: _error(
            "Another call was started with this key less than 5 s ago",
            {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        ),
        502: _error("RingCloud refused the request or did not answer"),
    },
)
def start_call(request: ClickToCall) -> Response[CallStarted]:
    return Response(status_code=202, content_type=http.JSON, body=ringcloud_calls.start_call(current_caller(), request))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
