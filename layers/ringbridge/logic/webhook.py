"""Ringotel's webhook mode: call events posted to one URL, driving the same activity logic as the hooks.

The body is ``{"method", "api_token", "params"}``; times are epoch milliseconds and numbers come
without "+". Events are keyed by Ringotel's call id, so a stop that arrives before its start is
kept and completed by the start (see logic.activities).
"""

from pydantic import ValidationError

from ringbridge import auth
from ringbridge.account_scope import AccountScope
from ringbridge.errors import InvalidInput, RingbridgeError, field_of
from ringbridge.logic import activities
from ringbridge.models.activities import Activity, ActivityCreate, ActivityStop
from ringbridge.models.webhook import CallParams, WebhookEvent

METHODS = ("StartCallActivity", "StopCallActivity")


def authenticate(event: WebhookEvent, headers: dict[str, str]) -> AccountScope:
    """The account of ``api_token`` in the body, else of the usual Authorization header; rw required."""
    return auth.authenticate(headers, "POST", body_token=event.api_token).account


def handle_event(scope: AccountScope, event: WebhookEvent) -> Activity:
    if event.method not in METHODS:
        raise RingbridgeError(f"unknown method {event.method!r}; expected one of {', '.join(METHODS)}", field="method")
    params = _params(event)
    if event.method == "StartCallActivity":
        activity, _ = activities.start_from_webhook(scope, _start(params), params.extension)
        return activity
    stopped = activities.stop_activity(scope, params.call_id, _stop(params))
    if stopped.direction is None and params.activity_type:
        # The stop came first and carries the start's params too: complete the activity now.
        stopped, _ = activities.start_from_webhook(scope, _start(params), params.extension)
    return stopped


def _params(event: WebhookEvent) -> CallParams:
    try:
        params = CallParams.model_validate(event.params)
    except ValidationError as error:
        problem = error.errors()[0]
        raise InvalidInput(problem["msg"], field=field_of(["params", *problem["loc"]])) from None
    if event.method == "StartCallActivity" and not params.activity_type:
        raise InvalidInput("is required for StartCallActivity", field="params.activity_type")
    return params


def _start(params: CallParams) -> ActivityCreate:
    return ActivityCreate(
        call_id=params.call_id,
        direction=params.activity_type,
        caller_number=params.caller_number,
        called_number=params.called_number,
        user_id=params.user_id,
        started_at=params.call_start,
    )


def _stop(params: CallParams) -> ActivityStop:
    return ActivityStop(ended_at=params.call_end, duration_seconds=params.call_duration, cause=params.call_cause)
