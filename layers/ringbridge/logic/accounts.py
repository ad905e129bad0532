"""Accounts, users and tokens: what the admin CLI and the Users hook do."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from ringbridge import auth, clock, ids, phones, tokens
from ringbridge.account_scope import AccountScope
from ringbridge.dal import accounts as dal
from ringbridge.dal import feeds as feeds_dal
from ringbridge.errors import Conflict, InvalidInput, NotFound
from ringbridge.models.accounts import Account, Scope, User

if TYPE_CHECKING:
    from ringbridge.dal.items import AccountItem, ApiTokenItem, UserItem


def create_account(name: str, region: str) -> Account:
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    if not phones.is_region(region):
        raise InvalidInput(f"{region!r} is not an ISO 3166 country code we know", field="region")
    account = Account(id=ids.new_id(), name=name.strip(), region=region.upper(), created_at=clock.now_iso())
    dal.put_account(cast("AccountItem", account.model_dump()))
    return account


def get_account(account_id: str) -> Account:
    return Account(**dal.get_account(account_id))


def create_user(
    account_id: str, name: str, email: str | None = None, extension: str | None = None, phone: str | None = None
) -> User:
    """A new user; its extension (what Ringotel's webhook and CreateActivity find it by) is unique in the account."""
    account = dal.get_account(account_id)  # 404 for an unknown account
    now = clock.now_iso()
    user = User(
        id=ids.new_id(),
        name=_name(name),
        email=_email(email),
        extension=_extension(extension),
        phone=_phone(phone, account["region"]),
        created_at=now,
        updated_at=now,
    )
    _claiming(user.extension, lambda: dal.put_user(account_id, _item(user)))
    return user


def get_user(account_id: str, user_id: str) -> User:
    dal.get_account(account_id)
    found = dal.get_user(account_id, user_id)
    if found is None:
        raise NotFound("no such user", field="user_id")
    return User(**found)


UNCHANGED: Any = object()  # update_user's default: keep the field as it is


def update_user(
    account_id: str,
    user_id: str,
    *,
    name: str = UNCHANGED,
    email: str | None = UNCHANGED,
    extension: str | None = UNCHANGED,
    phone: str | None = UNCHANGED,
) -> User:
    """Change some fields of a user (None clears email, extension or phone); the extension stays unique."""
    before = get_user(account_id, user_id)
    changes: dict[str, Any] = {}
    if name is not UNCHANGED:
        changes["name"] = _name(name)
    if email is not UNCHANGED:
        changes["email"] = _email(email)
    if extension is not UNCHANGED:
        changes["extension"] = _extension(extension)
    if phone is not UNCHANGED:
        changes["phone"] = _phone(phone, get_account(account_id).region) if phone else None
    after = before.model_copy(update={**changes, "updated_at": clock.now_iso()})
    _claiming(after.extension, lambda: dal.replace_user(account_id, _item(before), _item(after)))
    return after


def remove_user(account_id: str, user_id: str) -> User:
    """Delete a user; the Ringio users feed reports it deleted. Its calls and contacts keep its id as history."""
    from ringbridge.logic.contacts import tombstone_expiry  # here: the Users hook need not load the contacts logic

    user = get_user(account_id, user_id)
    tombstone = feeds_dal.tombstone_put(account_id, "USER", user.id, clock.now_iso(), tombstone_expiry())
    dal.delete_user(account_id, _item(user), tombstone)
    return user


def _item(user: User) -> UserItem:
    return cast("UserItem", user.model_dump())


def _claiming(extension: str | None, write: Callable[[], None]) -> None:
    try:
        write()
    except dal.ExtensionTaken:
        raise Conflict(f"another user of this account has extension {extension}", field="extension") from None


def _name(name: str) -> str:
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    return name.strip()


# What a mail system accepts in practice: one @, no spaces, a dotted domain (RFC 5321's 254 characters at most).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _email(email: str | None) -> str | None:
    if not email:
        return None
    if len(email) > 254 or not _EMAIL.match(email.strip()):
        raise InvalidInput(f"{email!r} is not an e-mail address", field="email")
    return email.strip()


def _extension(extension: str | None) -> str | None:
    if not extension:
        return None
    if not re.fullmatch(r"[0-9A-Za-z*#+_.-]{1,32}", extension.strip()):
        raise InvalidInput(
            f"{extension!r} is not a PBX extension (up to 32 letters, digits, * # + _ . -)", field="extension"
        )
    return extension.strip()


def _phone(phone: str | None, region: str) -> str | None:
    """Kept as typed, once it reads as a contact's number would (with the account's region)."""
    if not phone:
        return None
    phones.to_e164(phone, region, field="phone")
    return phone.strip()


def list_users(within: AccountScope) -> list[User]:
    return [User(**item) for item in dal.list_users(within.account_id)]


def create_token(account_id: str, scope: Scope, rate_limit_per_minute: int | None = None) -> tuple[str, str]:
    """Issue a token; answers (key id, token). The token is never stored and cannot be shown again."""
    if scope not in ("ro", "rw"):
        raise InvalidInput("must be ro or rw", field="scope")
    _check_rate_limit(rate_limit_per_minute)
    dal.get_account(account_id)
    issued = tokens.issue(account_id, ids.new_id())
    token: ApiTokenItem = {
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
