"""Ringostat sync, the scheduled run: every configured account's changes since its watermarks.

A scheduled run goes through the registry of configured accounts. Per account it sends the organizations,
then the contacts, that changed after the account's watermarks, oldest first: pages of the
ChangesIndex, each POSTed in batches. A watermark only moves past a batch Ringostat accepted, so
a failed batch, a crash or the end of the time budget never skips a change: the next run starts
from it again (Ringostat upserts by external id, so a re-send is harmless). The push from the table's
stream (logic.ringostat_push) sends changes seconds after they are made; this run remains the guarantee.

The ChangesIndex is a GSI, read eventually consistent, and writers stamp ``updated_at`` before
their write commits. A run therefore only sends changes older than a safety lag: a change newer
than that may still be invisible while a later one is already visible, and sending the later
one would move the watermark past the earlier one.
"""

from collections.abc import Iterator
from datetime import timedelta

import requests
from aws_lambda_powertools.metrics import MetricUnit

from ringbridge import clock, settings
from ringbridge.budget import Budget
from ringbridge.dal import ringostat as dal
from ringbridge.logic.per_account import run_each
from ringbridge.logic.ringostat_sender import AccountSender
from ringbridge.models.ringostat import AccountRunResult, RingostatConfig, RingostatStatus, SyncRunResult
from ringbridge.observability import logger, metrics
from ringbridge.retry import MIN_REQUEST_SECONDS
from ringbridge.ringostat_client import RingostatError
from ringbridge.settings import Ringostat

# Changes read per Query (a Query answers at most 1 MB anyway): several batches per round trip, bounded memory.
READ_PAGE_ITEMS = 1000


def sync_all(budget: Budget) -> SyncRunResult:
    """Sync every configured account in turn, least recently run first; one account's failure does not stop
    the others (logic.per_account)."""
    ringostat = settings.current().ringostat
    started = clock.monotonic()
    result = SyncRunResult()
    with requests.Session() as session:

        def sync_account(account_id: str) -> None:
            account = AccountRunResult(account_id=account_id)
            result.accounts.append(account)
            _sync_account(account, session, ringostat, budget)

        accounts = dal.configured_accounts()
        result.stopped_early = run_each("Ringostat sync", accounts, budget, MIN_REQUEST_SECONDS, sync_account)
    metrics.add_metric(
        name="OrganizationsSent", unit=MetricUnit.Count, value=sum(a.organizations_sent for a in result.accounts)
    )
    metrics.add_metric(name="ContactsSent", unit=MetricUnit.Count, value=sum(a.contacts_sent for a in result.accounts))
    metrics.add_metric(name="BatchesFailed", unit=MetricUnit.Count, value=sum(1 for a in result.accounts if a.error))
    metrics.add_metric(name="RunDuration", unit=MetricUnit.Milliseconds, value=(clock.monotonic() - started) * 1000)
    return result


def _sync_account(account: AccountRunResult, session: requests.Session, settings: Ringostat, budget: Budget) -> None:
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


def _send_changes(
    sender: AccountSender, entity: str, watermark: str | None, cutoff: str, settings: Ringostat
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
