"""Ringio's contacts feed with 10 and with 10,000 changes since ``since``: latency and round trips per page."""

import json
import statistics
import time
from datetime import timedelta

from ringbridge import clock
from ringbridge_tools.local import demo, dynamodb_calls, lambdas, template
from tests.bench import emulator

TITLE = "Ringio feeds: 10 vs 10,000 changes since `since`"
READS = {10: 20, 10_000: 2}  # whole-feed reads per size


def _read_feed(account: dict, since: str) -> tuple[int, list[float], list[list[str]]]:
    """Follow ``next`` to the end: the ids seen, and each page's latency and DynamoDB calls."""
    function = template.functions()["RingioFeedsFunction"]
    path = f"/ringio/feeds/accounts/{account['account_id']}/contacts"
    cursor, seen, latencies, logs = None, 0, [], []
    while True:
        query = {"since": since, **({"cursor": cursor} if cursor else {})}
        event = lambdas.http_event(
            "GET",
            path,
            query=query,
            headers={"authorization": f"Bearer {account['ro_token']}"},
            route_path="/ringio/feeds/accounts/{account_id}/contacts",
        )
        log = dynamodb_calls.start()
        started = time.perf_counter()
        response = lambdas.invoke(function, event)
        latencies.append((time.perf_counter() - started) * 1000)
        logs.append(list(log))
        assert response["statusCode"] == 200, response
        body = json.loads(response["body"])
        seen += len(body["updated"])
        cursor = body["next"]
        if not cursor:
            return seen, latencies, logs


def measure() -> str:
    rows = [
        "| changes since `since` | pages (1,000 ids each) | median per page (ms) | p95 per page (ms) "
        "| whole feed (ms) | Queries per page | DynamoDB calls per page |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    since = clock.iso(clock.now() - timedelta(seconds=1))
    accounts = {}
    for size in READS:  # both seeded first: each size is then measured against the same table
        accounts[size] = demo.seed_account(f"Bench feed {size}", "UA")
        started = time.perf_counter()
        emulator.seed_contacts(accounts[size]["account_id"], 0, size)
        print(f"  seeded {size} contacts in {time.perf_counter() - started:.0f} s", flush=True)
    for size, reads in READS.items():
        _read_feed(accounts[size], since)  # warms the token cache and imports
        pages, totals, per_page, queries, trips = 0, [], [], set(), set()
        for _ in range(reads):
            seen, latencies, logs = _read_feed(accounts[size], since)
            assert seen >= size, f"the feed reported {seen} of {size} changes"
            pages = len(latencies)
            totals.append(sum(latencies))
            per_page += latencies
            queries |= {log.count("Query") for log in logs}
            trips |= {len(log) for log in logs}
        p95 = statistics.quantiles(per_page, n=20)[-1]
        rows.append(
            f"| {size:,} | {pages} | {statistics.median(per_page):.1f} | {p95:.1f} | {statistics.median(totals):.0f} "
            f"| {', '.join(map(str, sorted(queries)))} | {', '.join(map(str, sorted(trips)))} |"
        )
    rows.append("")
    rows.append(
        "Each page is one Query on the ChangesIndex GSI, reading back only ids, times and deletion marks (a second"
        " call is the token's re-check when the auth cache expires mid-read). In-process handler against the"
        " emulator over HTTP; moto answers a GSI Query by going through the whole table, so its per-page time grows"
        " with the table (here 20,000+ items), which DynamoDB's does not. The demo contacts seeded with each account"
        " are among the changes."
    )
    return "\n".join(rows)
