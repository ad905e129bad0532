"""Who is calling: the verified token's account, scope and region, for the request being handled.

``auth`` sets it once per request; the handlers read it. A ContextVar, so each request (and each
thread a handler starts) sees its own.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from ringbridge.errors import Forbidden

Scope = Literal["ro", "rw"]


@dataclass(frozen=True)
class Caller:
    account_id: str
    key_id: str
    scope: Scope
    region: str
    rate_limit_per_minute: int | None = None

    def require_write(self) -> None:
        if self.scope != "rw":
            raise Forbidden("this token is read-only")


_current: ContextVar[Caller] = ContextVar("ringbridge_caller")


def current_caller() -> Caller:
    return _current.get()


def set_current_caller(caller: Caller) -> None:
    _current.set(caller)
