"""Domain exceptions. The HTTP layer (ringbridge.http) maps each to a status code once."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic stays out of the import of a function that never validates
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails


def field_of(location: Sequence[int | str]) -> str:
    """A pydantic error's location as the dotted name our answers and records give a field: ``phones.1.number``."""
    return ".".join(map(str, location))


def described(problem: "ErrorDetails") -> str:
    """One of a pydantic error's problems as text: ``phones.1.number: Field required``."""
    return f"{field_of(problem['loc'])}: {problem['msg']}"


class RingbridgeError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def headers(self) -> dict[str, str]:
        """Extra response headers this error answers with."""
        return {}


class InvalidInput(RingbridgeError):
    status = 422
    code = "invalid"

    @classmethod
    def first_of(cls, error: "ValidationError") -> "InvalidInput":
        """A model's refusal as ours: its first problem, naming the top-level field it is in."""
        problem = error.errors()[0]
        return cls(problem["msg"], field=str(problem["loc"][0]))


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


class Gone(RingbridgeError):
    status = 410
    code = "gone"


class TooManyRequests(RingbridgeError):
    """Over a limit: a token's rate limit, or one we keep for a vendor (RingCloud's one call per 5 s).

    ``retry_after`` is the seconds until the limit lets the request through.
    """

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class BadGateway(RingbridgeError):
    """A vendor we call failed or refused; nothing the client sent was wrong."""

    status = 502
    code = "bad_gateway"
