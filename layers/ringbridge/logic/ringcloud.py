"""RingCloud: per-account configuration (keys in DynamoDB, passwords in SSM), status, removal.

The import run (logic.ringcloud_import) and click-to-call (logic.click_to_call) read the
config and the passwords through ``clients``.
"""

from collections.abc import Sequence

import requests
from pydantic import ValidationError

from ringbridge import clock, settings
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringcloud as dal
from ringbridge.dal import secrets
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.logic import per_account
from ringbridge.models.ringcloud import AccountRingcloud, RingcloudConfig
from ringbridge.ringcloud_client import RingcloudClient, RingcloudError

MAX_PASSWORD_LENGTH = 256
RO, RW = "password", "rw-password"


def client(session: requests.Session, account_id: str, config: RingcloudConfig, which: str = RO) -> RingcloudClient:
    """A client for the account's RO (``RO``) or RW (``RW``) key, its password read from SSM (cached)."""
    ringcloud = settings.current().ringcloud
    api_key = config.api_key if which == RO else config.rw_api_key
    assert api_key is not None
    name = ringcloud.password_parameter(account_id, which)
    try:
        password = secrets.read(name, config.updated_at)
    except secrets.Unreadable:
        raise RingcloudError(f"cannot read the RingCloud password from SSM parameter {name}") from None
    return RingcloudClient(
        session,
        ringcloud.base_url,
        api_key,
        password,
        account_id=account_id,
        timeout=ringcloud.timeout_seconds,
        backoff=ringcloud.backoff_seconds,
        max_attempts=ringcloud.max_attempts,
    )


def configure(
    account_id: str,
    api_key: str,
    password: str,
    *,
    rw_api_key: str | None = None,
    rw_password: str | None = None,
    timezone: str = "UTC",
    days: int = 1,
    allowed_countries: Sequence[str] = (),
    allowed_types: Sequence[str] = (),
) -> RingcloudConfig:
    """Set an account's RingCloud keys and click-to-call's dialling policy; without an RW key, click-to-call
    answers 409. Without allowed countries or types, click-to-call dials the account's own country's
    fixed lines, mobiles and toll-free numbers only."""
    if (rw_api_key is None) != (rw_password is None):
        raise InvalidInput("the RW key and its password come together", field="rw_api_key")
    _check_password(password, "password")
    if rw_password is not None:
        _check_password(rw_password, "rw_password")
    try:
        config = RingcloudConfig(
            api_key=api_key,
            rw_api_key=rw_api_key,
            timezone=timezone,
            days=days,
            allowed_countries=list(allowed_countries),
            allowed_types=list(allowed_types),
            updated_at=clock.now_iso(),
        )
    except ValidationError as error:
        raise InvalidInput.first_of(error) from None
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    ringcloud = settings.current().ringcloud
    secrets.put(ringcloud.password_parameter(account_id, RO), password.strip())
    if rw_password is not None:
        secrets.put(ringcloud.password_parameter(account_id, RW), rw_password.strip())
    else:
        secrets.delete(ringcloud.password_parameter(account_id, RW))
    dal.put_config(account_id, config.model_dump())
    return config


def _check_password(password: str, field: str) -> None:
    if not password.strip() or len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("must be the key's password", field=field)


def status(account_id: str | None = None) -> list[AccountRingcloud]:
    """One account's RingCloud config and last run, or every configured account's."""
    if account_id is not None:
        accounts_dal.get_account(account_id)  # 404 for an unknown account
    return per_account.states(AccountRingcloud, dal.configs_and_statuses(account_id))


def remove(account_id: str) -> None:
    """Stop importing and calling: the config, status, registry entry and passwords go."""
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    if not dal.delete_config(account_id):
        raise NotFound("RingCloud is not configured for this account", field="account_id")
    ringcloud = settings.current().ringcloud
    for which in (RO, RW):
        secrets.delete(ringcloud.password_parameter(account_id, which))
