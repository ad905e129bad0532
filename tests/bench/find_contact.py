"""FindContact with 1,000 and with 100,000 contacts in one account: latency and round trips."""

import statistics
import time

from botocore.exceptions import BotoCoreError

from ringbridge import aws
from ringbridge_tools.local import demo, dynamodb_calls, lambdas, template
from tests.bench import Measured, emulator

TITLE = "FindContact as an account grows"
LOOKUPS = 300
PLAIN_LOOKUPS = 5


class _DynamoTimer:
    """Wall time this thread spends inside DynamoDB calls (to separate ringbridge's own time)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0
        events = aws.dynamodb().meta.events
        events.register("before-call.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)

    def _before(self, **_: object) -> None:
        self._started = time.perf_counter()

    def _after(self, **_: object) -> None:
        self.total += time.perf_counter() - self._started


def _lookups(token: str, size: int, count: int) -> dict[str, float]:
    function = template.functions()["RingotelFindContactFunction"]
    timer = _DynamoTimer()
    latencies, own, round_trips, found = [], [], [], 0
    for attempt in range(count + 3):  # the first few warm the token cache and imports
        phone = "0" + emulator.phone_number(attempt * 7919 % size)[4:]  # national format: normalization included
        event = lambdas.http_event(
            "GET", "/ringotel/contacts/find", query={"phone": phone}, headers={"authorization": f"Bearer {token}"}
        )
        log = dynamodb_calls.start()
        timer.total = 0.0
        started = time.perf_counter()
        response = lambdas.invoke(function, event)
        elapsed = time.perf_counter() - started
        found += '"id"' in response["body"]
        if attempt >= 3:
            latencies.append(elapsed * 1000)
            own.append((elapsed - timer.total) * 1000)
            round_trips.append(len(log))
    assert found == count + 3, f"only {found} of {count + 3} lookups found their contact"
    return {
        "median": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "own": statistics.median(own),
        "calls": max(round_trips),
    }


QUOTED = ("find_contact_own_ms_1000", "find_contact_own_ms_100000", "find_contact_emulator_growth_ms")


def measure() -> Measured:
    account = demo.seed_account("Bench find", "UA")
    rows = [
        "| contacts in the account | DynamoDB calls per lookup | median, moto as is (ms) "
        "| median, partition-indexed emulator (ms) | p95 (ms) | ringbridge's own time, median (ms) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    seeded = 0
    measured: dict[int, dict[str, float]] = {}
    for size in (1_000, 100_000):
        started = time.perf_counter()
        emulator.seed_contacts(account["account_id"], seeded, size)
        print(f"  seeded {size - seeded} contacts in {time.perf_counter() - started:.0f} s", flush=True)
        seeded = size
        try:
            plain = f"{_lookups(account['ro_token'], size, PLAIN_LOOKUPS)['median']:.1f}"
        except BotoCoreError:
            plain = "over 5 s: the client's read timeout"
        emulator.index_base_table_queries()
        indexed = measured[size] = _lookups(account["ro_token"], size, LOOKUPS)
        emulator.restore_base_table_queries()
        rows.append(
            f"| {size:,} | {indexed['calls']} | {plain} | {indexed['median']:.1f} "
            f"| {indexed['p95']:.1f} | {indexed['own']:.1f} |"
        )
    rows += [
        "",
        f"{LOOKUPS} warm lookups per size ({PLAIN_LOOKUPS} against moto as is), in-process handler, "
        "emulator over HTTP on 127.0.0.1. FindContact is one strongly consistent Query on the number's own "
        "partition (`ACCOUNT#<id>#PHONE#<e164>`), so DynamoDB's work does not depend on the account's size. "
        "moto answers any Query by sorting every item of the table, which makes its latency grow with the "
        "table (second column); the bench therefore also runs with the emulator patched to read just the "
        "key's partition, as DynamoDB does (`tests/bench/emulator.py`). The last column excludes time "
        "spent waiting on DynamoDB.",
    ]
    return Measured(
        "\n".join(rows),
        {
            "find_contact_own_ms_1000": f"{measured[1_000]['own']:.1f}",
            "find_contact_own_ms_100000": f"{measured[100_000]['own']:.1f}",
            "find_contact_emulator_growth_ms": f"{measured[100_000]['median'] - measured[1_000]['median']:.1f}",
        },
    )
