"""Ringostat push: the changes a batch of the table's stream records names, sent seconds after they were made.

The records only say which items changed: each request carries the items read again (see
logic.ringostat_sender). The scheduled run (logic.ringostat_sync) remains the guarantee.
"""

from dataclasses import dataclass, field
from typing import Any

import requests
from aws_lambda_powertools.metrics import MetricUnit

from ringbridge import clock, settings
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import ringostat as dal
from ringbridge.logic.ringostat_sender import AccountSender
from ringbridge.models.ringostat import AccountPushResult, RingostatConfig
from ringbridge.observability import logger, metrics
from ringbridge.ringostat_client import Rejected, Retryable
from ringbridge.settings import Ringostat

ENTITIES = ("ORGANIZATION", "CONTACT")  # organizations first: contacts refer to them


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
            raise NotDelivered(account.error)  # a retried account always says why


def push_changes(records: list[dict[str, Any]], budget: Budget) -> PushOutcome:
    """Send the organizations, then the contacts, that a batch of stream records names, per configured account.

    The records only say which items changed: each request carries the items read again (see
    AccountSender). Accounts without a Ringostat config are passed over: the stream's filter cannot
    know which accounts are configured.
    """
    ringostat = settings.current().ringostat
    changed: dict[str, dict[str, list[str]]] = {}
    for record in records:
        found = _changed_item(record["dynamodb"]["Keys"])
        if found:
            account_id, entity, item_id = found
            changed.setdefault(account_id, {}).setdefault(entity, []).append(item_id)
    outcome = PushOutcome()
    with requests.Session() as session:
        for account_id, by_entity in changed.items():
            outcome.accounts[account_id] = _push_account(account_id, by_entity, session, ringostat, budget)
    results = outcome.accounts.values()  # an unconfigured account's result: nothing sent, nothing failed
    metrics.add_metric(name="ContactsPushed", unit=MetricUnit.Count, value=sum(a.contacts_sent for a in results))
    metrics.add_metric(name="PushFailures", unit=MetricUnit.Count, value=sum(1 for a in results if a.error))
    return outcome


def _push_account(
    account_id: str,
    by_entity: dict[str, list[str]],
    session: requests.Session,
    settings: Ringostat,
    budget: Budget,
) -> AccountPushResult:
    result = AccountPushResult(account_id=account_id)
    config_item, _ = dal.get_config_and_status(account_id)
    if config_item is None:
        return result  # nothing to send: no failure either
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
