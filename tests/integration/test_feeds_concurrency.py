"""No missed change: writes that commit late, while a client polls, are all reported by a later poll.

A writer stamps ``updated_at`` before its transaction commits. To make that window real and wide
(in AWS it is milliseconds, plus index propagation), these tests hold writers' transactions back
just before they are sent, while a client polls the feed with the timestamps it gets.
"""

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from ringbridge import aws, clock
from ringbridge.auth import Caller
from ringbridge.logic import ringio
from ringbridge.models.ringio import ContactFields
from tests.conftest import call

LAG_SECONDS = 2.0


@pytest.fixture(autouse=True)
def short_lag(monkeypatch):
    """A 2 s safety lag: longer than any commit delay these tests inject, with room for a busy emulator."""
    monkeypatch.setenv("FEED_SAFETY_LAG_SECONDS", str(LAG_SECONDS))


_writer = threading.local()


def _hold_commit(**_: Any) -> None:
    """Runs in the writing thread just before a TransactWriteItems request is sent."""
    hold = getattr(_writer, "hold", None)
    if hold is not None:
        hold()


@contextmanager
def commits_held() -> Iterator[None]:
    events = aws.dynamodb().meta.events
    events.register("before-call.dynamodb.TransactWriteItems", _hold_commit, unique_id="feeds-test-hold")
    try:
        yield
    finally:
        events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="feeds-test-hold")


def caller_of(tenant) -> Caller:
    return Caller(account_id=tenant.account_id, key_id="test", scope="rw", region=tenant.region)


def poll(tenant, since: str) -> dict[str, Any]:
    answer = call(
        "GET", f"/ringio/feeds/accounts/{tenant.account_id}/contacts", tenant.ro_token, query={"since": since}
    )
    assert answer.status == 200, answer.body
    assert answer.body["next"] is None
    return answer.body


def test_a_write_committing_after_a_poll_that_covered_its_timestamp_is_reported_by_the_next_poll(tenant):
    since = clock.now_iso()
    stamped, release = threading.Event(), threading.Event()
    created: list[str] = []

    def write() -> None:
        def hold() -> None:  # the contact is stamped; its commit waits
            stamped.set()
            release.wait(5)

        _writer.hold = hold
        created.append(ringio.create_contact(caller_of(tenant), ContactFields(name="Late Writer")).contact.id)

    with commits_held():
        writer = threading.Thread(target=write)
        writer.start()
        # Given a write stamped but not yet committed
        assert stamped.wait(5)
        # When a client polls past the write's timestamp
        first = poll(tenant, since)
        assert first["updated"] == []  # not committed: nothing to see yet
        # And the write then commits
        release.set()
        writer.join(5)
    # Then the client's next poll, from the timestamp it got, reports it
    second = poll(tenant, first["timestamp"])
    assert second["updated"] == created


@dataclass
class Write:
    id: str
    kind: str  # create | update | delete
    done: float  # time.monotonic() once committed


@dataclass
class Poll:
    started: float
    updated: list[str]
    deleted: list[str]


@dataclass
class Writer:
    tenant: Any
    seed: int
    writes: list[Write] = field(default_factory=list)
    error: BaseException | None = None

    def run(self, operations: int) -> None:
        try:
            self._write(operations)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error

    def _write(self, operations: int) -> None:
        rng = random.Random(self.seed)
        _writer.hold = lambda: time.sleep(rng.uniform(0, 0.4))  # commits land up to 0.4 s after their stamp
        caller = caller_of(self.tenant)
        live: list[str] = []
        for index in range(operations):
            action = "create" if not live or rng.random() < 0.4 else rng.choice(["update", "update", "delete"])
            if action == "create":
                contact_id = ringio.create_contact(caller, ContactFields(name=f"W{self.seed} {index}")).contact.id
                live.append(contact_id)
            elif action == "update":
                contact_id = rng.choice(live)
                ringio.update_contact(caller, contact_id, ContactFields(title=f"v{index}"), None)
            else:
                contact_id = live.pop(rng.randrange(len(live)))
                ringio.delete_contact(caller, contact_id, None)
            self.writes.append(Write(contact_id, action, time.monotonic()))


def test_concurrent_writers_and_a_polling_client_miss_no_change(tenant):
    # Given four writers creating, updating and deleting contacts, each commit landing late
    since = clock.now_iso()
    writers = [Writer(tenant, seed) for seed in range(4)]
    polls: list[Poll] = []
    with commits_held():
        threads = [threading.Thread(target=writer.run, args=(12,)) for writer in writers]
        for thread in threads:
            thread.start()
        # When a client keeps polling, always passing the last timestamp it got
        while any(thread.is_alive() for thread in threads):
            started = time.monotonic()
            answer = poll(tenant, since)
            polls.append(Poll(started, answer["updated"], answer["deleted"]))
            since = answer["timestamp"]
            time.sleep(0.05)
        for thread in threads:
            thread.join()
    # ...and polls on once the lag has passed since the last write
    time.sleep(LAG_SECONDS + 0.2)
    started = time.monotonic()
    answer = poll(tenant, since)
    polls.append(Poll(started, answer["updated"], answer["deleted"]))

    # Then every write was reported by a poll that started after it committed
    assert [writer.error for writer in writers] == [None] * len(writers)
    writes = [write for writer in writers for write in writer.writes]
    assert len(writes) == 48 and len(polls) > 10
    for write in writes:
        reported = [
            seen
            for seen in polls
            if seen.started >= write.done
            and (write.id in seen.deleted if write.kind == "delete" else write.id in seen.updated + seen.deleted)
        ]
        assert reported, f"{write} was never reported"
    # And a client that applies the polls in order ends with exactly the contacts that exist
    replica: set[str] = set()
    for seen in polls:
        replica = (replica | set(seen.updated)) - set(seen.deleted)
    listed = call("GET", "/ringio/contacts", tenant.ro_token, query={"limit": "500"}).body
    assert replica == {item["contact"]["id"] for item in listed}
