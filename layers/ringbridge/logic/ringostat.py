"""Ringostat sync: per-account configuration, the scheduled run, and the push from the table's stream.

Two triggers send the same payloads (``payloads``) through the same sender (``AccountSender``):
the stream push, seconds after a change, and the scheduled run, which remains the guarantee.

A scheduled run goes through the registry of configured accounts. Per account it sends the organizations,
then the contacts, that changed after the account's watermarks, oldest first: pages of the
ChangesIndex, each POSTed in batches. A watermark only moves past a batch Ringostat accepted, so
a failed batch, a crash or the end of the time budget never skips a change: the next run starts
from it again (Ringostat upserts by external id, so a re-send is harmless).

The ChangesIndex is a GSI, read eventually consistent, and writers stamp ``updated_at`` before
their write commits. A run therefore only sends changes older than a safety lag: a change newer
than that may still be invisible while a later one is already visible, and sending the later
one would move the watermark past the earlier one.

Both triggers may send the same contact at the same moment. So that Ringostat never gets an older
version after a newer one, every request of an account is made under the account's send lease
(a conditional write on its status item) with the items read again, strongly consistent, after
the lease was taken: requests of one account are one after another, and each carries the items as
they were after the previous one was answered.
"""

import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from pydantic import ValidationError

from ringbridge import clock
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringostat as dal
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.models.ringostat import (
    AccountPushResult,
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
# The send lease outlasts a request's timeout by this much (the reads under it); our requests end a
# second before it does, for the clocks of two senders that may differ a little.
LEASE_MARGIN_SECONDS = 5.0
CLOCK_SKEW_SECONDS = 1.0
LEASE_POLL_SECONDS = 0.1
ENTITIES = ("ORGANIZATION", "CONTACT")  # organizations first: contacts refer to them
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


# account id -> the config version (updated_at) its cached auth key was read for
_key_read_for: dict[str, str | None] = {}


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


# --- payloads: the one mapping both triggers use ---


def payloads(
    entity: str, items: list[dict[str, Any]], config: RingostatConfig, owners: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Ringostat's view of organizations or contacts (items as the table holds them)."""
    if entity == "ORGANIZATION":
        return [organization_payload(item, config) for item in items]
    return [contact_payload(item, config, owners) for item in items]


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
        contact_link=None if contact.get("erased_at") else config.link_to(contact["id"]),  # logic.erasure
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


# --- sending: one account's requests, under its send lease ---


class AccountSender:
    """Sends one account's organizations or contacts to Ringostat: the scheduled run and the push use it.

    Each attempt takes the account's send lease, reads the items as they are now, POSTs them and
    gives the lease back; 429, 5xx and timeouts are retried with exponential backoff and full jitter.
    """

    def __init__(
        self,
        account_id: str,
        config: RingostatConfig,
        session: requests.Session,
        settings: SyncSettings,
        budget: Budget,
    ) -> None:
        self.account_id = account_id
        self._config = config
        self._settings = settings
        self._budget = budget
        self._client = RingostatClient(
            session, settings.base_url, config.project_id, _auth_key(account_id, config, settings)
        )
        self._holder = uuid.uuid4().hex
        self._owners: dict[str, dict[str, Any]] | None = None

    def send(self, entity: str, item_ids: list[str]) -> int:
        """POST the items' current versions in one request; answers how many were sent (deleted ones are not)."""
        post = self._client.sync_organizations if entity == "ORGANIZATION" else self._client.sync_contacts
        attempt = 0
        while True:
            attempt += 1
            lease_ends = self._take_lease()
            try:
                items = dal.current_items(self.account_id, entity, item_ids)
                if not items:
                    return 0
                batch = payloads(entity, items, self._config, self._owners_for(entity))
                timeout = min(self._settings.timeout_seconds, self._budget.remaining(), lease_ends - time.monotonic())
                if timeout < MIN_REQUEST_SECONDS:
                    raise OutOfTime
                post(batch, timeout)
                return len(batch)
            except Retryable as error:
                delay = self._retry_delay(error, attempt)
                problem = str(error)
            finally:
                dal.release_send_lease(self.account_id, self._holder)
            logger.info(
                "Ringostat batch will be retried",
                extra={"http_attempt": attempt, "delay": delay, "account_id": self.account_id, "error": problem},
            )
            time.sleep(delay)

    def _take_lease(self) -> float:
        """Wait for the account's send lease; answers when (time.monotonic) our requests must be over."""
        seconds = self._settings.timeout_seconds + LEASE_MARGIN_SECONDS
        while True:
            started = time.monotonic()
            now_ms = int(clock.now().timestamp() * 1000)
            if dal.take_send_lease(self.account_id, self._holder, now_ms, now_ms + int(seconds * 1000)):
                return started + seconds - CLOCK_SKEW_SECONDS
            if self._budget.remaining() < MIN_REQUEST_SECONDS + LEASE_POLL_SECONDS:
                raise OutOfTime
            time.sleep(LEASE_POLL_SECONDS)

    def _owners_for(self, entity: str) -> dict[str, dict[str, Any]]:
        if entity == "CONTACT" and self._owners is None:  # read once, and only if a contact is sent
            self._owners = {user["id"]: user for user in accounts_dal.list_users(self.account_id)}
        return self._owners or {}

    def _retry_delay(self, error: Retryable, attempt: int) -> float:
        """How long to wait before the next attempt; raises when there is none."""
        if attempt >= self._settings.max_attempts:
            raise Retryable(f"{error} (gave up after {attempt} attempts)") from None
        if error.retry_after is not None:
            if error.retry_after > self._budget.remaining() - MIN_REQUEST_SECONDS:
                raise Retryable(f"{error} (asked to retry after {error.retry_after:.0f} s)") from None
            return error.retry_after
        ceiling = min(MAX_BACKOFF_SECONDS, self._settings.backoff_seconds * 2 ** (attempt - 1))
        delay = random.uniform(0, ceiling)  # noqa: S311
        if delay > self._budget.remaining() - MIN_REQUEST_SECONDS:
            raise OutOfTime from None
        return delay


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
        sender = AccountSender(account_id, config, session, settings, budget)
        for accepted in _send_changes(sender, "ORGANIZATION", status.organizations_watermark, cutoff, settings):
            account.organizations_sent += accepted
        for accepted in _send_changes(sender, "CONTACT", status.contacts_watermark, cutoff, settings):
            account.contacts_sent += accepted
    except RingostatError as error:
        account.error = str(error)
        logger.warning("Ringostat sync of an account failed", extra={"account_id": account_id, "error": account.error})
        dal.record_run(account_id, clock.now_iso(), error=account.error, batches_failed=1)
        # How far behind Ringostat may be: at most back to the older watermark (<changed at>#<id>) this
        # run started from.
        watermarks = [w for w in (status.organizations_watermark, status.contacts_watermark) if w]
        if watermarks:
            behind = (clock.now() - clock.parse_iso(min(watermarks).split("#", 1)[0])).total_seconds()
            metrics.add_metric(name="SyncLagSeconds", unit=MetricUnit.Seconds, value=behind)
        return
    dal.record_run(account_id, clock.now_iso(), error=None, batches_failed=0)
    # Everything that changed before the cutoff is in Ringostat now.
    metrics.add_metric(name="SyncLagSeconds", unit=MetricUnit.Seconds, value=settings.safety_lag_seconds)
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
    sender: AccountSender, entity: str, watermark: str | None, cutoff: str, settings: SyncSettings
) -> Iterator[int]:
    """POST the changes after the watermark and before the cutoff in batches; yields each accepted batch's size."""
    account_id = sender.account_id
    for page in dal.changes_after(account_id, entity, watermark, max(READ_PAGE_ITEMS, settings.batch_size)):
        # Pages come in change order: once one change is too recent, all the following are too.
        ready = [item for item in page if item["CHG_SK"] < cutoff]
        for first in range(0, len(ready), settings.batch_size):
            batch = ready[first : first + settings.batch_size]
            # Deletions leave tombstones in the same index; Ringostat has no delete method: they are passed over.
            current = [item["id"] for item in batch if "deleted_at" not in item]
            sent = sender.send(entity, current) if current else 0
            dal.record_accepted(account_id, entity, batch[-1]["CHG_SK"], sent, clock.now_iso())
            yield sent
        if len(ready) < len(page):
            return


# --- the push from the table's stream ---


class NotDelivered(Exception):
    """A stream record whose account's requests failed in a way worth delivering it again."""


@dataclass
class PushOutcome:
    """What one batch of stream records did, per account; ``check_delivered`` tells the batch utility."""

    accounts: dict[str, AccountPushResult] = field(default_factory=dict)

    def check_delivered(self, record: Any) -> None:
        """Raise for a record (a Powertools DynamoDBRecord) whose account is to be retried."""
        found = _changed_item(record.raw_event["dynamodb"]["Keys"])
        account = self.accounts.get(found[0]) if found else None
        if account is not None and account.retry:
            raise NotDelivered(account.error or "not delivered")


def push_changes(records: list[dict[str, Any]], budget: Budget) -> PushOutcome:
    """Send the organizations, then the contacts, that a batch of stream records names, per configured account.

    The records only say which items changed: each request carries the items read again (see
    AccountSender). Accounts without a Ringostat config are passed over: the stream's filter cannot
    know which accounts are configured.
    """
    settings = SyncSettings.from_env()
    changed: dict[str, dict[str, list[str]]] = {}
    for record in records:
        found = _changed_item(record["dynamodb"]["Keys"])
        if found:
            account_id, entity, item_id = found
            changed.setdefault(account_id, {}).setdefault(entity, []).append(item_id)
    outcome = PushOutcome()
    with requests.Session() as session:
        for account_id, by_entity in changed.items():
            outcome.accounts[account_id] = _push_account(account_id, by_entity, session, settings, budget)
    pushed = [account for account in outcome.accounts.values() if account.configured]
    metrics.add_metric(name="ContactsPushed", unit=MetricUnit.Count, value=sum(a.contacts_sent for a in pushed))
    metrics.add_metric(name="PushFailures", unit=MetricUnit.Count, value=sum(1 for a in pushed if a.error))
    return outcome


def _push_account(
    account_id: str,
    by_entity: dict[str, list[str]],
    session: requests.Session,
    settings: SyncSettings,
    budget: Budget,
) -> AccountPushResult:
    result = AccountPushResult(account_id=account_id)
    config_item, _ = dal.get_config_and_status(account_id)
    if config_item is None:
        result.configured = False
        return result
    try:
        sender = AccountSender(account_id, RingostatConfig(**config_item), session, settings, budget)
        for entity in ENTITIES:
            item_ids = list(dict.fromkeys(by_entity.get(entity, [])))
            for first in range(0, len(item_ids), settings.batch_size):
                sent = sender.send(entity, item_ids[first : first + settings.batch_size])
                if entity == "ORGANIZATION":
                    result.organizations_sent += sent
                else:
                    result.contacts_sent += sent
    except Rejected as error:
        result.error = str(error)  # a retry would only repeat it: the status says why; the schedule keeps trying
    except (Retryable, OutOfTime) as error:
        result.error = str(error) or "the invocation's time ran out"
        result.retry = True
    dal.record_push(account_id, clock.now_iso(), result.error, result.organizations_sent, result.contacts_sent)
    if result.error:
        logger.warning("Ringostat push of an account failed", extra={"account_id": account_id, "error": result.error})
    return result


def _changed_item(keys: dict[str, Any]) -> tuple[str, str, str] | None:
    """(account id, entity, item id) of an account's contact or organization item; None for any other key."""
    pk, sk = keys["PK"]["S"], keys["SK"]["S"]
    account_id = pk.removeprefix("ACCOUNT#")
    if account_id == pk or "#" in account_id:  # not an account's own item (a phone copy, the registry)
        return None
    for entity, prefix in dal.ITEM_SK_PREFIXES.items():
        if sk.startswith(prefix):
            return account_id, entity, sk.removeprefix(prefix)
    return None


def remove(account_id: str) -> None:
    """Stop syncing an account to Ringostat: its config, sync state and auth key are deleted."""
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    if not dal.delete_config(account_id):
        raise NotFound("no Ringostat project is configured for this account", field="account_id")
    dal.delete_auth_key(SyncSettings.from_env().auth_key_parameter(account_id))
