"""Accounts, users and tokens: what the admin CLI and the Users hook do."""

from typing import Any

from ringbridge import auth, clock, ids, phones
from ringbridge.auth import Caller, Scope
from ringbridge.dal import accounts as dal
from ringbridge.errors import InvalidInput
from ringbridge.models.accounts import Account, User


def create_account(name: str, region: str) -> Account:
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    if not phones.is_region(region):
        raise InvalidInput(f"{region!r} is not an ISO 3166 country code we know", field="region")
    account = Account(id=ids.new_id(), name=name.strip(), region=region.upper(), created_at=clock.now_iso())
    dal.put_account(account.model_dump())
    return account


def get_account(account_id: str) -> Account:
    return Account(**dal.get_account(account_id))


def create_user(
    account_id: str, name: str, email: str | None = None, extension: str | None = None, phone: str | None = None
) -> User:
    dal.get_account(account_id)  # 404 for an unknown account
    now = clock.now_iso()
    user = User(
        id=ids.new_id(), name=name, email=email, extension=extension, phone=phone, created_at=now, updated_at=now
    )
    dal.put_user(account_id, user.model_dump())
    return user


def list_users(caller: Caller) -> list[User]:
    return [User(**item) for item in dal.list_users(caller.account_id)]


def create_token(account_id: str, scope: Scope, rate_limit_per_minute: int | None = None) -> tuple[str, str]:
    """Issue a token; answers (key id, token). The token is never stored and cannot be shown again."""
    if scope not in ("ro", "rw"):
        raise InvalidInput("must be ro or rw", field="scope")
    _check_rate_limit(rate_limit_per_minute)
    dal.get_account(account_id)
    issued = auth.issue(account_id, ids.new_id())
    token: dict[str, Any] = {
        "key_id": issued.key_id,
        "scope": scope,
        "secret_hash": issued.secret_hash,
        "created_at": clock.now_iso(),
    }
    if rate_limit_per_minute:
        token["rate_limit_per_minute"] = rate_limit_per_minute
    dal.put_token(account_id, token)
    return issued.key_id, issued.token


def set_token_rate_limit(account_id: str, key_id: str, rate_limit_per_minute: int | None) -> None:
    """Change a token's requests-a-minute limit; None or 0 removes it. Warm functions see it within
    AUTH_CACHE_SECONDS (they cache a verified token, limit included)."""
    _check_rate_limit(rate_limit_per_minute)
    dal.set_token_rate_limit(account_id, key_id, rate_limit_per_minute or None)
    auth.forget_verified()


def _check_rate_limit(rate_limit_per_minute: int | None) -> None:
    if rate_limit_per_minute is not None and not 0 <= rate_limit_per_minute <= 1_000_000:
        raise InvalidInput("must be between 1 and 1,000,000 requests a minute (0: no limit)", field="rate_limit")


def revoke_token(account_id: str, key_id: str) -> None:
    dal.revoke_token(account_id, key_id, clock.now_iso())
    auth.forget_verified()


def list_tokens(account_id: str) -> list[dict]:
    """Token metadata (never the hash) for the admin CLI."""
    return [{k: v for k, v in item.items() if k != "secret_hash"} for item in dal.list_tokens(account_id)]
