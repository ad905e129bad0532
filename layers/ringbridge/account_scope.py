"""What the logic acts within: one account (its id and region) and whether it may write there.

Built from the verified token for a request (``Caller.account``), or from the account itself where no
token is involved (the RingCloud import, the demo data): the logic never needs to know which.
"""

from ringbridge.errors import Forbidden


# A plain class, not a dataclass: making a dataclass compiles its methods at import, about a millisecond of
# every cold start each (this module is on the hooks' path).
class AccountScope:
    __slots__ = ("account_id", "can_write", "region")

    def __init__(self, account_id: str, region: str, can_write: bool) -> None:
        self.account_id = account_id
        self.region = region  # the account's ISO 3166 country: how its numbers without a country code are read
        self.can_write = can_write

    def require_write(self) -> None:
        if not self.can_write:
            raise Forbidden("this token is read-only")
