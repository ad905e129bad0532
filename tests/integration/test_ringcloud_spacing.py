"""RingCloud's limits hold across processes: each request claims its URL's turn in DynamoDB first.

Time comes from ``clock.manual()``: the client's waits move it, and the fake RingCloud measures its
windows on it, so nothing here really waits.
"""

import hashlib
import json
from collections.abc import Iterator

import pytest
import requests

from ringbridge import clock, ringcloud_client, settings
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import ringcloud_spacing
from ringbridge_tools.fakes import ringcloud as fake_ringcloud
from tests.support.dynamodb import account_items
from tests.support.ringcloud import FakeClock
from tests.support.tenants import Tenant

REQUEST = "GET /v1/calls/complete?days=1"


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The client's waits, each moving the manual clock (and with it the fake's windows) instead of sleeping."""
    waits: list[float] = []
    with clock.manual() as time:

        def sleep(seconds: float) -> None:
            waits.append(round(seconds, 3))
            time.advance(seconds)

        monkeypatch.setattr(clock, "sleep", sleep)
        yield waits


def a_new_process(fake: fake_ringcloud.FakeRingcloud, tenant: Tenant) -> ringcloud_client.RingcloudClient:
    """A client as a new Lambda instance has it: nothing in memory of earlier requests."""
    ringcloud_client._last_request.clear()
    deployed = settings.current().ringcloud
    return ringcloud_client.RingcloudClient(
        requests.Session(),
        fake.base_url,
        fake_ringcloud.DEMO_KEY,
        fake_ringcloud.DEMO_PASSWORD,
        account_id=tenant.account_id,
        timeout=deployed.timeout_seconds,
        backoff=deployed.backoff_seconds,
        max_attempts=deployed.max_attempts,
    )


def test_two_processes_back_to_back_break_no_limit(
    tenant: Tenant, slept: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the fake RingCloud, which counts each request inside one of RingCloud's windows
    fake = fake_ringcloud.seeded().start()
    monkeypatch.setattr(ringcloud_client, "_last_request", {})
    try:
        # When two processes (each a new client, with nothing in memory) ask for the call list in a row
        for _ in range(2):
            assert len(a_new_process(fake, tenant).completed_calls(1, Budget(290))) == len(fake.calls)
    finally:
        fake.stop()

    # Then the second waited out the first's turn (RingCloud's 5 s plus the arrival margin): no violation
    assert slept == [5.5]
    assert len(fake.served("/v1/calls/complete")) == 2
    assert fake.violations == 0


@pytest.mark.parametrize(("budget", "asked"), [(6.0, True), (5.99, False)], ids=["half-a-second-left", "less"])
def test_a_turn_is_waited_for_only_when_the_request_after_it_has_half_a_second(
    tenant: Tenant, fake_clock: FakeClock, budget: float, asked: bool
) -> None:
    # Given another process that has just asked for the call list (its turn lasts 5.5 s); the clock moves only
    # when the client waits, from a base where the budget's arithmetic is exact
    fake = fake_ringcloud.seeded().start()
    try:
        a_new_process(fake, tenant).completed_calls(1, Budget(290))

        # When a second process asks with `budget` seconds left
        client = a_new_process(fake, tenant)
        if asked:
            client.completed_calls(1, Budget(budget))
        else:
            with pytest.raises(OutOfTime):
                client.completed_calls(1, Budget(budget))
    finally:
        fake.stop()

    # Then with half a second left after the turn it waits and asks; with less it gives up at once: waiting
    # would spend the time the run keeps for recording where it stopped, for a request it could not make
    assert fake_clock.slept == ([5.5] if asked else [])
    assert len(fake.served("/v1/calls/complete")) == (2 if asked else 1)
    assert fake.violations == 0


def test_a_request_that_arrives_late_holds_the_next_one_back_from_its_arrival(
    tenant: Tenant, fake_clock: FakeClock
) -> None:
    # Given a request for the call list that reaches RingCloud 2 s after it was sent (its window of 5 s starts then,
    # 1.5 s after the turn claimed in DynamoDB has freed)
    fake = fake_ringcloud.seeded().start()
    fake.plan("/v1/calls/complete", fake_ringcloud.Slow(2))
    try:
        client = a_new_process(fake, tenant)
        client.completed_calls(1, Budget(290))

        # When the same process asks again at once
        client.completed_calls(1, Budget(290))
    finally:
        fake.stop()

    # Then it waited 5 s from the answer, not only for the turn: RingCloud refused nothing
    assert fake_clock.slept == [2, 5.0]
    assert [request.status for request in fake.served("/v1/calls/complete")] == [200, 200]
    assert fake.violations == 0


def test_a_claimed_turn_is_kept_in_epoch_milliseconds_and_expires_a_minute_after_it_frees(
    tenant: Tenant, fake_clock: FakeClock
) -> None:
    fake = fake_ringcloud.seeded().start()
    try:
        asked_at_ms = round(fake_clock.now().timestamp() * 1000)
        a_new_process(fake, tenant).completed_calls(1, Budget(290))
    finally:
        fake.stop()

    sk = ringcloud_spacing.spacing_sk(fake_ringcloud.DEMO_KEY, REQUEST)
    [turn] = [item for item in account_items(tenant.account_id) if item["SK"]["S"] == sk]
    frees_at_ms = asked_at_ms + 5_500  # RingCloud's 5 s for the call list, and the arrival margin
    assert (int(turn["next_at"]["N"]), int(turn["expires_at"]["N"])) == (frees_at_ms, frees_at_ms // 1000 + 60)


def test_a_turn_frees_at_its_exact_millisecond() -> None:
    account, key = "01SPACINGEXACT", "1001_exact"
    assert ringcloud_spacing.take_turn(account, key, REQUEST, 1_000_000, 5_500) is None
    # one millisecond before it frees, the turn is refused and says when it frees; nothing is written
    assert ringcloud_spacing.take_turn(account, key, REQUEST, 1_005_499, 5_500) == 1_005_500
    assert ringcloud_spacing.take_turn(account, key, REQUEST, 1_005_499, 5_500) == 1_005_500
    # at that millisecond it is taken again
    assert ringcloud_spacing.take_turn(account, key, REQUEST, 1_005_500, 5_500) is None
    assert ringcloud_spacing.take_turn(account, key, REQUEST, 1_005_501, 5_500) == 1_011_000


def test_turns_are_per_url_and_per_account_and_keep_the_key_hashed() -> None:
    key = "1001_sharedkey"
    assert ringcloud_spacing.take_turn("01SPACINGA", key, REQUEST, 2_000_000, 5_500) is None
    # another URL of the same key, and the same key configured by another account, are not held back
    assert ringcloud_spacing.take_turn("01SPACINGA", key, "GET /v1/users?", 2_000_000, 1_500) is None
    assert ringcloud_spacing.take_turn("01SPACINGB", key, REQUEST, 2_000_000, 5_500) is None
    assert ringcloud_spacing.take_turn("01SPACINGA", key, REQUEST, 2_000_001, 5_500) == 2_005_500

    # the items hold the key's hash, never the key; DynamoDB's TTL removes them a minute after they free
    items = account_items("01SPACINGA")
    assert len(items) == 2
    assert key not in json.dumps(items)
    assert all(hashlib.sha256(key.encode()).hexdigest() in item["SK"]["S"] for item in items)
    turn = next(item for item in items if item["SK"]["S"] == ringcloud_spacing.spacing_sk(key, REQUEST))
    assert (int(turn["next_at"]["N"]), int(turn["expires_at"]["N"])) == (2_005_500, 2_005 + 60)
