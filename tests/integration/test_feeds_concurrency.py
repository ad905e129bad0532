"""No missed change: writes that commit late, while a client polls, are all reported by a later poll.

A writer stamps ``updated_at`` before its transaction commits. To make that window real and wide
(in AWS it is milliseconds, plus index propagation), these tests hold writers' transactions back
just before they are sent, while a client polls the feed with the timestamps it gets. Time is the
controllable clock's, moved only by the test: a busy machine can slow them down, never fail them.
"""

import queue
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from ringbridge import aws, clock, settings
from ringbridge.logic import ringio
from ringbridge.models.ringio import ContactFields
from tests.support.api import call

LAG_SECONDS = 2.0


@pytest.fixture(autouse=True)
def short_lag(monkeypatch):
    """A 2 s safety lag: longer than any commit delay these tests inject."""
    monkeypatch.setenv("FEED_SAFETY_LAG_SECONDS", str(LAG_SECONDS))
    settings.reload()


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


def poll(tenant, since: str) -> dict[str, Any]:
    answer = call(
        "GET", f"/ringio/feeds/accounts/{tenant.account_id}/contacts", tenant.ro_token, query={"since": since}
    )
    assert answer.status == 200, answer.body
    assert answer.body["next"] is None
    return answer.body


def test_a_write_committing_after_a_poll_that_covered_its_timestamp_is_reported_by_the_next_poll(tenant):
    with clock.manual() as time:  # however slow the machine, only the test moves the clock
        late_commit_is_reported(tenant, time)


def late_commit_is_reported(tenant, time: clock.ManualTime) -> None:
    since = clock.now_iso()
    stamped, release = threading.Event(), threading.Event()
    created: list[str] = []

    def write() -> None:
        def hold() -> None:  # the contact is stamped; its commit waits
            stamped.set()
            release.wait(5)

        _writer.hold = hold
        created.append(ringio.create_contact(tenant.scope, ContactFields(name="Late Writer")).contact.id)

    with commits_held():
        writer = threading.Thread(target=write)
        writer.start()
        # Given a write stamped but not yet committed
        assert stamped.wait(5)
        # When, a second later (within the lag), a client polls past the write's timestamp
        time.advance(1.0)
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
    polls_before_commit: int  # how many polls had started when it committed


@dataclass
class Poll:
    updated: list[str]
    deleted: list[str]


HANDSHAKE_SECONDS = 60  # only a guard against a hung thread: the test never waits on time to pass


class Writer:
    """A thread that makes one write when told and holds its commit, after the stamp, until released."""

    def __init__(self, tenant: Any, seed: int) -> None:
        self.rng = random.Random(seed)
        self.scope = tenant.scope
        self.seed = seed
        self.live: list[str] = []
        self.writes: list[Write] = []
        self.stamped_at: float | None = None  # the clock when the held write was stamped; None when idle
        self._stamped, self._release, self._done = threading.Event(), threading.Event(), threading.Event()
        self._orders: queue.Queue[int | None] = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def start_write(self, index: int) -> None:
        """Start a write and return once it is stamped and its commit is held."""
        self._stamped.clear()
        self._done.clear()
        self._orders.put(index)
        assert self._stamped.wait(HANDSHAKE_SECONDS) or self._done.is_set(), "the writer never stamped"
        self.stamped_at = clock.monotonic()

    def commit(self, polls_so_far: int) -> None:
        """Let the held write commit, and return once it has."""
        self._release.set()
        assert self._done.wait(HANDSHAKE_SECONDS), "the held write never committed"
        self.writes[-1].polls_before_commit = polls_so_far
        self.stamped_at = None

    def stop(self) -> None:
        self._orders.put(None)
        self.thread.join(HANDSHAKE_SECONDS)

    def _hold(self) -> None:  # in this thread, just before TransactWriteItems is sent
        self._release.clear()
        self._stamped.set()
        self._release.wait(HANDSHAKE_SECONDS)

    def _run(self) -> None:
        _writer.hold = self._hold
        while (index := self._orders.get()) is not None:
            try:
                self._write(index)
            except BaseException as error:  # reported by the test, not lost in the thread
                self.error = error
            finally:
                self._done.set()

    def _write(self, index: int) -> None:
        live, rng = self.live, self.rng
        action = "create" if not live or rng.random() < 0.4 else rng.choice(["update", "update", "delete"])
        if action == "create":
            contact_id = ringio.create_contact(self.scope, ContactFields(name=f"W{self.seed} {index}")).contact.id
            live.append(contact_id)
        elif action == "update":
            contact_id = rng.choice(live)
            ringio.update_contact(self.scope, contact_id, ContactFields(title=f"v{index}"), None)
        else:
            contact_id = live.pop(rng.randrange(len(live)))
            ringio.delete_contact(self.scope, contact_id, None)
        self.writes.append(Write(contact_id, action, -1))


def test_concurrent_writers_and_a_polling_client_miss_no_change(tenant):
    # Given four writers creating, updating and deleting contacts, each commit landing up to
    # 1.2 s (of a clock only the test moves) after its stamp, in an order a seeded random schedule picks
    schedule = random.Random(2026)
    polls: list[Poll] = []
    with clock.manual() as time, commits_held():
        since = clock.now_iso()
        writers = [Writer(tenant, seed) for seed in range(4)]

        def poll_once() -> None:
            nonlocal since
            answer = poll(tenant, since)
            polls.append(Poll(answer["updated"], answer["deleted"]))
            since = answer["timestamp"]

        try:
            for index in range(48):
                writer = schedule.choice([writer for writer in writers if writer.stamped_at is None])
                writer.start_write(index)
                # When a client keeps polling, always passing the last timestamp it got, while time passes
                poll_once()
                time.advance(schedule.uniform(0, 0.4))
                for held in writers:
                    age = None if held.stamped_at is None else clock.monotonic() - held.stamped_at
                    if age is not None and (age > 0.8 or schedule.random() < 0.5 or index == 47):
                        held.commit(len(polls))
                    assert age is None or age < LAG_SECONDS
            # ...and polls on once the lag has passed since the last write
            time.advance(LAG_SECONDS + 0.1)
            poll_once()
        finally:
            for writer in writers:
                writer.stop()

    # Then every write was reported by a poll that started after it committed
    assert [writer.error for writer in writers] == [None] * len(writers)
    writes = [write for writer in writers for write in writer.writes]
    assert len(writes) == 48 and len(polls) == 49
    for write in writes:
        reported = [
            seen
            for seen in polls[write.polls_before_commit :]
            if (write.id in seen.deleted if write.kind == "delete" else write.id in seen.updated + seen.deleted)
        ]
        assert reported, f"{write} was never reported"
    # And a client that applies the polls in order ends with exactly the contacts that exist
    replica: set[str] = set()
    for seen in polls:
        replica = (replica | set(seen.updated)) - set(seen.deleted)
    listed = call("GET", "/ringio/contacts", tenant.ro_token, query={"limit": "500"}).body
    assert replica == {item["contact"]["id"] for item in listed}
