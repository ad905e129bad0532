"""Who is calling: the verified token's account, scope and region, for the request being handled.

``auth`` sets it once per request; the handlers read it and hand the logic only its ``account`` (the
key id, token scope and rate limit are for auth, rate limiting and OAuth). A ContextVar, so each
request (and each thread a handler starts) sees its own.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from ringbridge.account_scope import AccountScope

Scope = Literal["ro", "rw"]


@dataclass(frozen=True)
class Caller:
    account_id: str
    key_id: str
    scope: Scope
    region: str
    rate_limit_per_minute: int | None = None

    @property
    def account(self) -> AccountScope:
        """The account this token acts within, and whether it may write there."""
        return AccountScope(account_id=self.account_id, region=self.region, can_write=self.scope == "rw")


_current: ContextVar[Caller] = ContextVar("ringbridge_caller")


def current_caller() -> Caller:
    return _current.get()


def set_current_caller(caller: Caller) -> None:
    _current.set(caller)
