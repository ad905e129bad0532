"""Domain exceptions. The HTTP layer (ringbridge.http) maps each to a status code once."""

from typing import Any


class RingbridgeError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class InvalidInput(RingbridgeError):
    status = 422
    code = "invalid"


class Forbidden(RingbridgeError):
    status = 403
    code = "forbidden"


class NotFound(RingbridgeError):
    """Missing, or belonging to another account: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"


class Conflict(RingbridgeError):
    """A write lost a race (stale version, reused idempotency key with another body)."""

    status = 409
    code = "conflict"


class PayloadTooLarge(RingbridgeError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(RingbridgeError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(RingbridgeError):
    """Over the token's rate limit; ``retry_after`` is the seconds until its window resets."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, field="Authorization")
        self.retry_after = retry_after


class Gone(RingbridgeError):
    status = 410
    code = "gone"
