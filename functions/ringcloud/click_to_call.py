"""RingcloudClickToCallFunction: start a call from the CRM through RingCloud (rw token)."""

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import click_to_call
from ringbridge.models.ringcloud import CallStarted, ClickToCall
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/ringcloud/calls",
    summary="Start a call: RingCloud rings the user's phone, then dials the number",
    description="`user_id` is a CRM user id or a CRM user's extension; give `number` or `contact_id` (its first "
    "number). RingCloud allows one call per 5 s per key: a request inside that window answers 429 with "
    "`Retry-After` and is not sent to RingCloud.\n\n"
    "The account's dialling policy decides what may be dialled: by default its own country's fixed-line, mobile "
    "and toll-free numbers only (an admin can allow more countries and number types with `ringbridge admin "
    "ringcloud-config --allow-countries --allow-types`). Premium-rate, shared-cost and the other types, numbers "
    "of unknown type, international networks (+800, +882, +979, ...) and numbers with an extension answer 422 "
    "naming `number` (or `contact_id`) and the rule; they are never sent to RingCloud and take no call slot.",
    tags=["RingCloud"],
    responses={
        202: http.ok(CallStarted, "Sent to RingCloud: what was sent"),
        **http.errors(
            409,
            422,
            429,
            502,
            s409="RingCloud is not configured for this account, or its config has no RW key",
            s422="A field is wrong: an unknown user or contact, a number that does not parse, a number the "
            "account's dialling policy does not allow (its country or type; an extension), ...",
            s429="Another call was started with this key less than 5 s ago, or the token's rate limit",
            s502="RingCloud refused the request or did not answer",
        ),
    },
)
def start_call(request: ClickToCall) -> Response[CallStarted]:
    started = click_to_call.start_call(current_caller().account, request)
    return Response(status_code=202, content_type=http.JSON, body=started)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
