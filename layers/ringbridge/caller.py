"""Who is calling: the verified token's account, scope and region, for the request being handled.

``auth`` sets it once per request; the handlers read it and hand the logic only its ``account`` (the
key id, token scope and rate limit are for auth, rate limiting and OAuth). A ContextVar, so each
request (and each thread a handler starts) sees its own.
"""

from contextvars import ContextVar
from typing import Literal

from ringbridge.account_scope import AccountScope

Scope = Literal["ro", "rw"]


# A plain class, not a dataclass: making a dataclass compiles its methods at import, about a millisecond of
# every cold start each (this module is on the hooks' path).
class Caller:
    __slots__ = ("account_id", "key_id", "rate_limit_per_minute", "region", "scope")

    def __init__(
        self, account_id: str, key_id: str, scope: Scope, region: str, rate_limit_per_minute: int | None = None
    ) -> None:
        self.account_id = account_id
        self.key_id = key_id
        self.scope = scope
        self.region = region
        self.rate_limit_per_minute = rate_limit_per_minute

    @property
    def account(self) -> AccountScope:
        """The account this token acts within, and whether it may write there."""
        return AccountScope(account_id=self.account_id, region=self.region, can_write=self.scope == "rw")


_current: ContextVar[Caller] = ContextVar("ringbridge_caller")


def current_caller() -> Caller:
    return _current.get()


def set_current_caller(caller: Caller) -> None:
    _current.set(caller)
