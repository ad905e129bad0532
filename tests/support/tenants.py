"""Accounts to test with: each with a user and a read-write and a read-only API token."""

from dataclasses import dataclass

from ringbridge.account_scope import AccountScope


@dataclass
class Tenant:
    account_id: str
    region: str
    rw_token: str
    ro_token: str
    user_id: str

    @property
    def scope(self) -> AccountScope:
        """What the logic acts within for this account, as its read-write token."""
        return AccountScope(account_id=self.account_id, region=self.region, can_write=True)


def make_tenant(region: str = "UA", name: str = "Test account") -> Tenant:
    from ringbridge.logic import accounts

    account = accounts.create_account(name, region)
    user = accounts.create_user(account.id, "Olena Petrenko", "olena@example.com", extension="101")
    _, rw = accounts.create_token(account.id, "rw")
    _, ro = accounts.create_token(account.id, "ro")
    return Tenant(account.id, region, rw, ro, user.id)
