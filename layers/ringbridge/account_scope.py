"""What the logic acts within: one account (its id and region) and whether it may write there.

Built from the verified token for a request (``Caller.account``), or from the account itself where no
token is involved (the RingCloud import, the demo data): the logic never needs to know which.
"""

from dataclasses import dataclass

from ringbridge.errors import Forbidden


@dataclass(frozen=True)
class AccountScope:
    account_id: str
    region: str  # the account's ISO 3166 country: how its numbers without a country code are read
    can_write: bool

    def require_write(self) -> None:
        if not self.can_write:
            raise Forbidden("this token is read-only")
