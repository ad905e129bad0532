"""Ringostat sync: per-account configuration, and the scheduled run that pushes what changed.

A run goes through the registry of configured accounts. Per account it sends the organizations,
then the contacts, that changed after the account's watermarks, oldest first: pages of the
ChangesIndex, each POSTed in batches. A watermark only moves past a batch Ringostat accepted, so
a failed batch, a crash or the end of the time budget never skips a change: the next run starts
from it again (Ringostat upserts by external id, so a re-send is harmless).

The ChangesIndex is a GSI, read eventually consistent, and writers stamp ``updated_at`` before
their write commits. A run therefore only sends changes older than a safety lag: a change newer
than that may still be invisible while a later one is already visible, and sending the later
one would move the watermark past the earlier one.
"""

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from pydantic import ValidationError

from ringbridge import clock
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringostat as dal
from ringbridge.errors import InvalidInput
from ringbridge.models.ringostat import (
    AccountRunResult,
    AccountSync,
    ContactDirection,
    ContactPayload,
    OrganizationPayload,
    RingostatConfig,
    RingostatStatus,
    SyncRunResult,
)
from ringbridge.observability import logger, metrics
from ringbridge.ringostat_client import Rejected, Retryable, RingostatClient, RingostatError

AUTH_KEY_CACHE_SECONDS = 300
MIN_REQUEST_SECONDS = 0.5  # no point starting a POST with less time than this left
MAX_BACKOFF_SECONDS = 30.0
MAX_AUTH_KEY_LENGTH = 512
# Changes read per Query (a Query answers at most 1 MB anyway): several batches per round trip, bounded memory.
READ_PAGE_ITEMS = 1000


@dataclass(frozen=True)
class SyncSettings:
    """Tuning, read from the environment at the start of each run (so tests and the local stack can set it)."""

    base_url: str = "https://api.ringostat.net"
    batch_size: int = 100
    parameter_prefix: str = "/ringbridge/ringostat"
    timeout_seconds: float = 10.0
    backoff_seconds: float = 1.0
    max_attempts: int = 5
    safety_lag_seconds: float = 30.0

    @classmethod
    def from_env(cls) -> "SyncSettings":
        env = os.environ
        defaults = cls()
        return cls(
            base_url=env.get("RINGOSTAT_BASE_URL") or defaults.base_url,
            batch_size=min(max(int(env.get("RINGOSTAT_BATCH_SIZE") or defaults.batch_size), 1), 1000),
            parameter_prefix=(env.get("RINGOSTAT_PARAMETER_PREFIX") or defaults.parameter_prefix).rstrip("/"),
            timeout_seconds=float(env.get("RINGOSTAT_TIMEOUT_SECONDS") or defaults.timeout_seconds),
            backoff_seconds=float(env.get("RINGOSTAT_BACKOFF_SECONDS") or defaults.backoff_seconds),
            max_attempts=max(int(env.get("RINGOSTAT_MAX_ATTEMPTS") or defaults.max_attempts), 1),
            safety_lag_seconds=float(env.get("RINGOSTAT_SAFETY_LAG_SECONDS") or defaults.safety_lag_seconds),
        )

    def auth_key_parameter(self, account_id: str) -> str:
        return f"{self.parameter_prefix}/{account_id}/auth-key"


class Budget:
    """The run's time: it stops before the Lambda timeout, leaving time to record where it stopped."""

    def __init__(self, seconds: float) -> None:
        self._deadline = clock.monotonic() + seconds

    @classmethod
    def for_lambda(cls, remaining_millis: int) -> "Budget":
        remaining = remaining_millis / 1000
        return cls(remaining - min(10.0, remaining / 4))

    def remaining(self) -> float:
        return self._deadline - clock.monotonic()


# account id -> the config version (updated_at) its cached auth key was read for
_key_read_for: dict[str, str | None] = {}


class OutOfTime(Exception):
    """The run's budget ran out; what was accepted so far is recorded, the rest waits for the next run."""


# --- configuration (the admin CLI) ---


def configure(
    account_id: str,
    project_id: int,
    auth_key: str,
    origin: str,
    contact_link: str,
) -> RingostatConfig:
    """Set an account's Ringostat project; a new project id restarts the sync from the beginning."""
    auth_key = auth_key.strip()
    if not auth_key or len(auth_key) > MAX_AUTH_KEY_LENGTH:
        raise InvalidInput("must be the project's auth key", field="auth_key")
    try:
        config = RingostatConfig(
            project_id=project_id, origin=origin, contact_link=contact_link, updated_at=clock.now_iso()
        )
    except ValidationError as error:
        problem = error.errors()[0]
        raise InvalidInput(problem["msg"], field=str(problem["loc"][0])) from None
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    previous, _ = dal.get_config_and_status(account_id)
    dal.put_auth_key(SyncSettings.from_env().auth_key_parameter(account_id), auth_key)
    project_changed = previous is not None and previous["project_id"] != project_id
    dal.put_config(account_id, config.model_dump(), reset_watermarks=project_changed)
    return config


def sync_status(account_id: str | None = None) -> list[AccountSync]:
    """One account's sync state, or every configured account's."""
    if account_id is not None:
        accounts_dal.get_account(account_id)
    found = []
    for each in [account_id] if account_id else dal.configured_accounts():
        config, status = dal.get_config_and_status(each)
        found.append(
            AccountSync(
                account_id=each,
                config=RingostatConfig(**config) if config else None,
                status=RingostatStatus(**(status or {})),
            )
        )
    return found


# --- payloads ---


def organization_payload(organization: dict[str, Any], config: RingostatConfig) -> dict[str, Any]:
    return OrganizationPayload(
        project_id=config.project_id, name=organization["name"], external_id=organization["id"], origin=config.origin
    ).model_dump()


def contact_payload(
    contact: dict[str, Any], config: RingostatConfig, owners: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    full_name = _full_name(contact)
    directions = [
        ContactDirection(type="phone", name=full_name, value=phone_value(e164))
        for e164 in dict.fromkeys(phone["e164"] for phone in contact.get("phones") or [])
    ]
    directions += [
        ContactDirection(type="email", name=full_name, value=email)
        for email in dict.fromkeys(contact.get("emails") or [])
    ]
    organizations = None
    if contact.get("organization_id") and contact.get("company_name"):
        organizations = [
            OrganizationPayload(
                project_id=config.project_id,
                name=contact["company_name"],
                external_id=contact["organization_id"],
                origin=config.origin,
            )
        ]
    return ContactPayload(
        project_id=config.project_id,
        full_name=full_name,
        origin=config.origin,
        external_id=contact["id"],
        responsible=_responsible(contact, owners, config),
        contact_link=config.link_to(contact["id"]),
        contact_directions=directions,
        organizations=organizations,
    ).model_dump()


def phone_value(e164: str) -> str:
    """Ringostat's docs ask for international format without "+": +380671112233 -> 380671112233."""
    return e164.removeprefix("+")


def _full_name(contact: dict[str, Any]) -> str:
    """fullName is mandatory: the name, else the company, an email, a number, or the id, whichever exists."""
    name = " ".join(part for part in (contact.get("first_name"), contact.get("last_name")) if part)
    fallbacks = [
        contact.get("company_name"),
        *(contact.get("emails") or []),
        *(phone["number"] for phone in contact.get("phones") or []),
    ]
    return name or next((value for value in fallbacks if value), contact["id"])


def _responsible(contact: dict[str, Any], owners: dict[str, dict[str, Any]], config: RingostatConfig) -> str:
    """The owner's email (what a Ringostat employee is most likely known by), else name; else the CRM's name."""
    owner = owners.get(contact.get("owner_id") or "")
    if owner:
        return owner.get("email") or owner["name"]
    return config.origin


# --- the scheduled run ---


def sync_all(budget: Budget) -> SyncRunResult:
    """Sync every configured account in turn; one account's failure does not stop the others."""
    settings = SyncSettings.from_env()
    started = time.monotonic()
    result = SyncRunResult()
    with requests.Session() as session:
        for account_id in dal.configured_accounts():
            account = AccountRunResult(account_id=account_id)
            result.accounts.append(account)
            try:
                if budget.remaining() < MIN_REQUEST_SECONDS:
                    raise OutOfTime
                _sync_account(account, session, settings, budget)
            except OutOfTime:
                result.stopped_early = True
                logger.warning(
                    "Ringostat sync stopped: the run's time budget ran out", extra={"account_id": account_id}
                )
                break
    metrics.add_metric(
        name="OrganizationsSent", unit=MetricUnit.Count, value=sum(a.organizations_sent for a in result.accounts)
    )
    metrics.add_metric(name="ContactsSent", unit=MetricUnit.Count, value=sum(a.contacts_sent for a in result.accounts))
    metrics.add_metric(name="BatchesFailed", unit=MetricUnit.Count, value=sum(1 for a in result.accounts if a.error))
    metrics.add_metric(name="RunDuration", unit=MetricUnit.Milliseconds, value=(time.monotonic() - started) * 1000)
    return result


def _sync_account(account: AccountRunResult, session: requests.Session, settings: SyncSettings, budget: Budget) -> None:
    account_id = account.account_id
    config_item, status_item = dal.get_config_and_status(account_id)
    if config_item is None:
        return  # a registry entry whose config write has not become visible: nothing to do yet
    config = RingostatConfig(**config_item)
    status = RingostatStatus(**(status_item or {}))
    cutoff = clock.iso(clock.now() - timedelta(seconds=settings.safety_lag_seconds))
    try:
        client = RingostatClient(session, settings.base_url, config.project_id, _auth_key(account_id, config, settings))
        owners: dict[str, dict[str, Any]] | None = None
        for accepted in _send_changes(
            account_id,
            "ORGANIZATION",
            status.organizations_watermark,
            cutoff,
            lambda page: [organization_payload(item, config) for item in page],
            client.sync_organizations,
            settings,
            budget,
        ):
            account.organizations_sent += accepted

        def contacts(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
            nonlocal owners
            if owners is None:  # the account's users, read once and only if a contact changed
                owners = {user["id"]: user for user in accounts_dal.list_users(account_id)}
            return [contact_payload(item, config, owners) for item in page]

        for accepted in _send_changes(
            account_id, "CONTACT", status.contacts_watermark, cutoff, contacts, client.sync_contacts, settings, budget
        ):
            account.contacts_sent += accepted
    except RingostatError as error:
        account.error = str(error)
        logger.warning("Ringostat sync of an account failed", extra={"account_id": account_id, "error": account.error})
        dal.record_run(account_id, clock.now_iso(), error=account.error, batches_failed=1)
        return
    dal.record_run(account_id, clock.now_iso(), error=None, batches_failed=0)
    logger.info(
        "Ringostat sync of an account done",
        extra={
            "account_id": account_id,
            "organizations_sent": account.organizations_sent,
            "contacts_sent": account.contacts_sent,
        },
    )


def _auth_key(account_id: str, config: RingostatConfig, settings: SyncSettings) -> str:
    """The key from SSM, cached; read again at once when ``ringostat-config`` has run since it was cached."""
    name = settings.auth_key_parameter(account_id)
    reconfigured = _key_read_for.get(account_id) != config.updated_at
    try:
        auth_key = parameters.get_parameter(
            name, decrypt=True, max_age=AUTH_KEY_CACHE_SECONDS, force_fetch=reconfigured
        )
    except GetParameterError:
        raise Rejected(f"cannot read the auth key from SSM parameter {name}") from None
    _key_read_for[account_id] = config.updated_at
    return auth_key


def _send_changes(
    account_id: str,
    entity: str,
    watermark: str | None,
    cutoff: str,
    to_payloads: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    send: Callable[[list[dict[str, Any]], float], None],
    settings: SyncSettings,
    budget: Budget,
) -> Iterator[int]:
    """POST the changes after the watermark and before the cutoff in batches; yields each accepted batch's size."""
    for page in dal.changes_after(account_id, entity, watermark, max(READ_PAGE_ITEMS, settings.batch_size)):
        # Pages come in change order: once one change is too recent, all the following are too.
        ready = [item for item in page if item["CHG_SK"] < cutoff]
        for first in range(0, len(ready), settings.batch_size):
            batch = ready[first : first + settings.batch_size]
            # Deletions leave tombstones in the same index; Ringostat has no delete method: they are passed over.
            current = [item for item in batch if "deleted_at" not in item]
            if current:
                _deliver(send, to_payloads(current), settings, budget)
            dal.record_accepted(account_id, entity, batch[-1]["CHG_SK"], len(current), clock.now_iso())
            yield len(current)
        if len(ready) < len(page):
            return


def _deliver(
    send: Callable[[list[dict[str, Any]], float], None],
    batch: list[dict[str, Any]],
    settings: SyncSettings,
    budget: Budget,
) -> None:
    """POST one batch, retrying what may pass later with exponential backoff and full jitter."""
    for attempt in range(1, settings.max_attempts + 1):
        timeout = min(settings.timeout_seconds, budget.remaining())
        if timeout < MIN_REQUEST_SECONDS:
            raise OutOfTime
        try:
            send(batch, timeout)
            return
        except Retryable as error:
            if attempt == settings.max_attempts:
                raise Retryable(f"{error} (gave up after {attempt} attempts)") from None
            if error.retry_after is not None:
                delay = error.retry_after
                if delay > budget.remaining() - MIN_REQUEST_SECONDS:
                    raise Retryable(f"{error} (asked to retry after {delay:.0f} s)") from None
            else:
                delay = random.uniform(0, min(MAX_BACKOFF_SECONDS, settings.backoff_seconds * 2 ** (attempt - 1)))  # noqa: S311
                if delay > budget.remaining() - MIN_REQUEST_SECONDS:
                    raise OutOfTime from None
            logger.info(
                "Ringostat batch will be retried", extra={"http_attempt": attempt, "delay": delay, "error": str(error)}
            )
            time.sleep(delay)
