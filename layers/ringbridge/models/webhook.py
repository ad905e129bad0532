"""Ringotel's webhook body: ``{"method": ..., "api_token": ..., "params": {...}}``."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ringbridge.models.activities import CallId, DirectionText, Label, Moment, Number, UserRef


class WebhookEvent(BaseModel):
    """Extra top-level fields are ignored: the webhook's full shape is Ringotel's, not ours."""

    method: str = Field(max_length=64, examples=["StartCallActivity", "StopCallActivity"])
    api_token: str | None = Field(default=None, max_length=256, description="Or send Authorization: Bearer")
    params: dict[str, Any] = Field(default_factory=dict)


class CallParams(BaseModel):
    """The params of StartCallActivity and StopCallActivity (Stop adds call_end, call_duration, call_cause)."""

    model_config = ConfigDict(extra="ignore")  # connection_name, connection_id, domain: not used

    call_id: CallId
    activity_type: DirectionText | None = None
    user_id: UserRef | None = None
    extension: UserRef | None = None
    caller_number: Number | None = None
    called_number: Number | None = None
    call_start: Moment | None = None
    call_end: Moment | None = None
    call_duration: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)  # as ActivityStop.duration_seconds
    call_cause: Label | None = None
