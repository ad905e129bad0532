"""Sending one account's organizations or contacts to Ringostat, under the account's send lease.

Both triggers (the scheduled run and the stream push) may send the same contact at the same moment.
So that Ringostat never gets an older version after a newer one, every request of an account is
made under the account's send lease (a conditional write on its status item) with the items read
again, strongly consistent, after the lease was taken: requests of one account are one after
another, and each carries the items as they were after the previous one was answered.
"""

import uuid
from typing import TYPE_CHECKING

import requests

from ringbridge import clock
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringostat as dal
from ringbridge.logic.ringostat_config import read_auth_key
from ringbridge.logic.ringostat_payloads import payloads
from ringbridge.models.ringostat import RingostatConfig
from ringbridge.observability import logger
from ringbridge.retry import MIN_REQUEST_SECONDS, GaveUp, RetryPolicy
from ringbridge.ringostat_client import Retryable, RingostatClient
from ringbridge.settings import Ringostat

if TYPE_CHECKING:
    from ringbridge.dal.items import UserItem

# The send lease outlasts a request's timeout by this much (the reads under it); our requests end a
# second before it does, for the clocks of two senders that may differ a little.
LEASE_MARGIN_SECONDS = 5.0
CLOCK_SKEW_SECONDS = 1.0
LEASE_POLL_SECONDS = 0.1


class AccountSender:
    """Sends one account's organizations or contacts to Ringostat: the scheduled run and the push use it.

    Each attempt takes the account's send lease, reads the items as they are now, POSTs them and
    gives the lease back; 408, 429, 5xx and timeouts are retried as ringbridge.retry's policy says.
    """

    def __init__(
        self,
        account_id: str,
        config: RingostatConfig,
        session: requests.Session,
        settings: Ringostat,
        budget: Budget,
    ) -> None:
        self.account_id = account_id
        self._config = config
        self._settings = settings
        self._budget = budget
        self._retry = RetryPolicy(settings.max_attempts, settings.backoff_seconds)
        self._client = RingostatClient(
            session, settings.base_url, config.project_id, read_auth_key(account_id, config, settings)
        )
        self._holder = uuid.uuid4().hex
        self._owners: dict[str, UserItem] | None = None

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
                timeout = min(self._settings.timeout_seconds, self._budget.remaining(), lease_ends - clock.monotonic())
                if timeout < MIN_REQUEST_SECONDS:
                    raise OutOfTime
                post(batch, timeout)
                return len(batch)
            except Retryable as error:
                try:
                    delay = self._retry.wait(attempt, error.retry_after, self._budget)
                except GaveUp as stop:
                    raise Retryable(f"{error} ({stop})") from None
                problem = str(error)
            finally:
                dal.release_send_lease(self.account_id, self._holder)
            logger.info(
                "Ringostat batch will be retried",
                extra={"http_attempt": attempt, "delay": delay, "account_id": self.account_id, "error": problem},
            )
            clock.sleep(delay)

    def _take_lease(self) -> float:
        """Wait for the account's send lease; answers when (clock.monotonic) our requests must be over."""
        seconds = self._settings.timeout_seconds + LEASE_MARGIN_SECONDS
        while True:
            started = clock.monotonic()
            now_ms = int(clock.now().timestamp() * 1000)
            if dal.take_send_lease(self.account_id, self._holder, now_ms, now_ms + int(seconds * 1000)):
                return started + seconds - CLOCK_SKEW_SECONDS
            if self._budget.remaining() < MIN_REQUEST_SECONDS + LEASE_POLL_SECONDS:
                raise OutOfTime
            clock.sleep(LEASE_POLL_SECONDS)

    def _owners_for(self, entity: str) -> dict[str, "UserItem"]:
        if entity == "CONTACT" and self._owners is None:  # read once, and only if a contact is sent
            self._owners = {user["id"]: user for user in accounts_dal.list_users(self.account_id)}
        return self._owners or {}
