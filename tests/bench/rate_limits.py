"""What a per-token rate limit costs a request: FindContact (warm) with an unlimited and a limited token."""

import statistics
import time

from ringbridge.logic import accounts
from ringbridge_tools.local import demo, dynamodb_calls, lambdas, template
from tests.bench import Measured

TITLE = "Per-token rate limits"
LOOKUPS = 300


def _lookups(token: str) -> tuple[float, float, int]:
    function = template.functions()["RingotelFindContactFunction"]
    latencies, round_trips = [], []
    for attempt in range(LOOKUPS + 3):  # the first few warm the token cache and imports
        event = lambdas.http_event(
            "GET",
            "/ringotel/contacts/find",
            query={"phone": "+380441111111"},
            headers={"authorization": f"Bearer {token}"},
        )
        log = dynamodb_calls.start()
        started = time.perf_counter()
        response = lambdas.invoke(function, event)
        elapsed = time.perf_counter() - started
        assert response["statusCode"] == 200, response
        if attempt >= 3:
            latencies.append(elapsed * 1000)
            round_trips.append(len(log))
    return statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1], max(round_trips)


QUOTED = ("rate_limit_none_median_ms", "rate_limit_limited_median_ms")


def measure() -> Measured:
    account = demo.seed_account("Bench rate limits", "UA")
    _, limited = accounts.create_token(account["account_id"], "ro", rate_limit_per_minute=1_000_000)
    rows = [
        "| token | DynamoDB calls per warm request | median (ms) | p95 (ms) |",
        "|---|---:|---:|---:|",
    ]
    medians = []
    for name, token in (("no limit (the default)", account["ro_token"]), ("with a limit", limited)):
        median, p95, round_trips = _lookups(token)
        rows.append(f"| {name} | {round_trips} | {median:.1f} | {p95:.1f} |")
        medians.append(f"{median:.1f}")
    text = "\n".join(
        [
            *rows,
            "",
            f"{LOOKUPS} warm FindContact lookups each. A limited token adds one conditional UpdateItem (its "
            "per-minute counter) to every request; a token without a limit adds nothing.",
        ]
    )
    return Measured(text, dict(zip(QUOTED, medians, strict=True)))
