"""Ringostat sync: an account's configuration (the admin CLI) and its auth key (its settings: ringbridge.settings).

The auth key is an SSM SecureString (dal.secrets: cached, read again at once after the account was
configured anew).
"""

from pydantic import ValidationError

from ringbridge import clock, settings
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringostat as dal
from ringbridge.dal import secrets
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.logic import per_account
from ringbridge.models.ringostat import AccountSync, RingostatConfig
from ringbridge.ringostat_client import Rejected
from ringbridge.settings import Ringostat

MAX_AUTH_KEY_LENGTH = 512


def configure(
    account_id: str,
    project_id: int,
    auth_key: str,
    origin: str,
    contact_link: str,
) -> RingostatConfig:
    """Set an account's Ringostat project; a new project id restarts the sync from the beginning."""
    auth_key = auth_key.strip()
    # A line break or other control character inside could never be sent as a header, and requests'
    # refusal quotes the key escaped, past the redaction of the key as it is: refused here instead.
    if not auth_key or len(auth_key) > MAX_AUTH_KEY_LENGTH or not auth_key.isprintable():
        raise InvalidInput("must be the project's auth key", field="auth_key")
    try:
        config = RingostatConfig(
            project_id=project_id, origin=origin, contact_link=contact_link, updated_at=clock.now_iso()
        )
    except ValidationError as error:
        raise InvalidInput.first_of(error) from None
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    previous, _ = dal.get_config_and_status(account_id)
    secrets.put(settings.current().ringostat.auth_key_parameter(account_id), auth_key)
    project_changed = previous is not None and previous["project_id"] != project_id
    dal.put_config(account_id, config.model_dump(), reset_watermarks=project_changed)
    return config


def status(account_id: str | None = None) -> list[AccountSync]:
    """One account's sync state, or every configured account's."""
    if account_id is not None:
        accounts_dal.get_account(account_id)  # 404 for an unknown account
    return per_account.states(AccountSync, dal.configs_and_statuses(account_id))


def remove(account_id: str) -> None:
    """Stop syncing an account to Ringostat: its config, sync state, registry entry and auth key are deleted."""
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    if not dal.delete_config(account_id):
        raise NotFound("Ringostat is not configured for this account", field="account_id")
    secrets.delete(settings.current().ringostat.auth_key_parameter(account_id))


def read_auth_key(account_id: str, config: RingostatConfig, settings: Ringostat) -> str:
    """The key from SSM, cached; read again at once when ``ringostat-config`` has run since it was cached."""
    name = settings.auth_key_parameter(account_id)
    try:
        return secrets.read(name, config.updated_at)
    except secrets.Unreadable:
        raise Rejected(f"cannot read the auth key from SSM parameter {name}") from None
