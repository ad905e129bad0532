"""Ringotel webhook mode: StartCallActivity / StopCallActivity posted to one URL, token in the body."""

from typing import Any

from ringbridge import http
from ringbridge.logic import webhook
from ringbridge.models.activities import Activity
from ringbridge.models.webhook import WebhookEvent
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/ringotel/webhook",
    summary="Ringotel webhook: StartCallActivity and StopCallActivity",
    description="Authenticated by `api_token` in the body (an rw token) or the Authorization header. "
    "Times are epoch milliseconds; numbers may come without '+'. An unknown `method` answers 400.",
    tags=["Ringotel"],
    openapi_extensions=http.TOKEN_IN_BODY,
    responses={
        200: http.ok(Activity),
        **http.errors(
            400, 403, 404, 409, s400="Unknown method, or not JSON", s404="A call_id shaped like an activity id"
        ),
    },
)
def ringotel_webhook(event: WebhookEvent) -> Activity:
    scope = webhook.authenticate(event, app.current_event.headers)
    return webhook.handle_event(scope, event)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # The token travels in the body, so this route authenticates itself after parsing it.
    return http.handle(app, event, context, authenticate=False)
