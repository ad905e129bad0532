"""What one call costs: AWS's request units and requests of a typical Ringotel call and of one RingCloud-imported
call, each with a 1-minute recording, priced at on-demand list prices.

Ringotel: FindContact, CreateActivity, UpdateActivity, StopCallActivity and UpdateCallRecording (the recording
as a raw body), each through its real lambda_handler, warm (the token verified before). RingCloud: one scheduled
import run that finds one new call with its recording, then the next run, which finds nothing new (what every
run costs an account with no new call). DynamoDB units are computed by DynamoDB's rules from the stored items
(tests/bench/capacity.py); Lambda's duration is the handler's measured time against the emulator, billed at the
template's memory; S3 requests are counted by botocore's events.
"""

import math
import statistics
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ringbridge import settings
from tests.bench import Measured
from tests.bench.capacity import Recorder, Request

TITLE = "What one call costs"
QUOTED = ("call_cost_ringotel", "call_cost_ringcloud", "call_cost_prices")
RUNS = 5  # calls measured (after one to warm every function); the median duration of each hook is billed
CALLS = 10_000
RUN_EVERY_SECONDS = 5 * 60  # RingcloudImportRate's default
RECORDING_SECONDS = 60.0
# AWS's on-demand list prices for us-east-1 (N. Virginia), published on its pricing pages (DynamoDB's as cut
# on 2024-11-01; the others unchanged through 2025); arm64 Lambda, HTTP API, S3 Standard.
PRICES_AS_OF = "2025-06"
PRICE = {
    "dynamodb_write": 0.625 / 1e6,  # per write request unit
    "dynamodb_read": 0.125 / 1e6,  # per read request unit
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000133334,  # arm64
    "api_request": 1.00 / 1e6,  # HTTP API, the first 300 million a month; metered per 512 KB of request
    "s3_put": 0.005 / 1000,  # PUT, COPY, POST, LIST requests
    "s3_get": 0.0004 / 1000,  # GET, HEAD and the others
    "s3_gb_month": 0.023,
}
API_METERING_BYTES = 512 * 1024
S3_PUT_CLASS = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}
S3_PUT_CLASS |= {"ListObjectsV2", "ListObjectVersions", "UploadPartCopy"}


@dataclass
class Cost:
    """What one workflow used: DynamoDB requests, Lambda invocations (function, seconds), API requests, S3."""

    dynamodb: list[Request] = field(default_factory=list)
    invocations: list[tuple[str, float, int]] = field(default_factory=list)  # (function, seconds, memory MB)
    api_requests: int = 0
    s3: Counter[str] = field(default_factory=Counter)
    stored_bytes: int = 0

    @property
    def write_units(self) -> float:
        return sum(request.write + sum(request.index_writes.values()) for request in self.dynamodb)

    @property
    def index_write_units(self) -> dict[str, int]:
        by_index: Counter[str] = Counter()
        for request in self.dynamodb:
            by_index.update(request.index_writes)
        return dict(by_index)

    @property
    def read_units(self) -> float:
        return sum(request.read for request in self.dynamodb)

    @property
    def gb_seconds(self) -> float:
        return sum(math.ceil(seconds * 1000) / 1000 * memory / 1024 for _, seconds, memory in self.invocations)

    @property
    def s3_put(self) -> int:
        return sum(count for operation, count in self.s3.items() if operation in S3_PUT_CLASS)

    @property
    def s3_get(self) -> int:
        return sum(count for operation, count in self.s3.items() if operation not in S3_PUT_CLASS)

    def dollars(self) -> dict[str, float]:
        """Dollars per call, by item."""
        return {
            "DynamoDB writes": self.write_units * PRICE["dynamodb_write"],
            "DynamoDB reads": self.read_units * PRICE["dynamodb_read"],
            "Lambda requests": len(self.invocations) * PRICE["lambda_request"],
            "Lambda duration": self.gb_seconds * PRICE["lambda_gb_second"],
            "API Gateway requests": self.api_requests * PRICE["api_request"],
            "S3 requests": self.s3_put * PRICE["s3_put"] + self.s3_get * PRICE["s3_get"],
            "S3 storage, per month kept": self.stored_bytes / 1e9 * PRICE["s3_gb_month"],
        }


@contextmanager
def _s3_counted(into: Counter[str]) -> Any:
    from ringbridge import aws

    def count(model: Any, **_: Any) -> None:
        into.update([model.name])

    events = aws.s3().meta.events
    events.register("before-call.s3", count)
    try:
        yield
    finally:
        events.unregister("before-call.s3", count)


def _invoke(cost: Cost, logical_id: str, event: dict[str, Any], body_bytes: int = 0) -> Any:
    from ringbridge_tools.local import lambdas, template

    function = template.functions()[logical_id]
    started = time.perf_counter()
    answer = lambdas.invoke(function, event)
    cost.invocations.append((logical_id, time.perf_counter() - started, function.memory_mb))
    cost.api_requests += max(1, math.ceil(body_bytes / API_METERING_BYTES)) if event.get("requestContext") else 0
    return answer


def _ringotel_call(recorder: Recorder, account: dict[str, Any], audio: bytes) -> Cost:
    """One call as Ringotel makes it: the caller looked up, the activity created, updated, stopped, recorded."""
    import json

    from ringbridge_tools.local import lambdas

    cost = Cost()
    token = account["rw_token"]

    def http(logical_id: str, method: str, path: str, body: Any = None, content_type: str = "", **query: str) -> Any:
        headers = {"authorization": f"Bearer {token}"}
        payload: Any = body if isinstance(body, bytes) or body is None else json.dumps(body)
        if body is not None:
            headers["content-type"] = content_type or "application/json"
        event = lambdas.http_event(
            method, path, headers=headers, body=payload, raw_query="&".join(f"{k}={v}" for k, v in query.items())
        )
        answer = _invoke(cost, logical_id, event, len(payload or b""))
        assert 200 <= answer["statusCode"] < 300, answer
        return json.loads(answer["body"])

    with recorder.recording() as requests, _s3_counted(cost.s3):
        http("RingotelFindContactFunction", "GET", "/ringotel/contacts/find", phone=account["phone"].lstrip("+"))
        start = {"call_id": f"cost-{uuid.uuid4().hex}", "direction": "inbound", "caller_number": account["phone"]}
        activity = http("RingotelCreateActivityFunction", "POST", "/ringotel/activities", start | {"user_id": "101"})
        path = f"/ringotel/activities/{activity['id']}"
        http("RingotelUpdateActivityFunction", "PUT", path, {"subject": "Order 1234", "comment": "Asked for a quote"})
        http("RingotelStopCallActivityFunction", "POST", f"{path}/stop", {})
        stored = http("RingotelUpdateCallRecordingFunction", "PUT", f"{path}/recording", audio, "audio/wav")
    cost.dynamodb = list(requests)
    cost.stored_bytes = stored["recording"]["size_bytes"]
    return cost


def _ringcloud_runs(recorder: Recorder, audio: bytes) -> tuple[Cost, Cost]:
    """A scheduled import run that finds one new call with its recording, and the next one, which finds none."""
    import os

    from ringbridge import clock
    from ringbridge.logic import accounts, ringcloud
    from ringbridge_tools.fakes.ringcloud import FakeRingcloud
    from ringbridge_tools.local import lambdas, template

    fake = FakeRingcloud().start()
    fake.add_key("501_costro", "cost-password", "RO")
    fake.users = [{"num": "101", "user": "user101"}]
    account = accounts.create_account("RingCloud cost", "UA")
    accounts.create_user(account.id, "User 101", "u101@example.com", extension="101")
    start = datetime.now(UTC) - timedelta(hours=1)
    fake.add_call(
        rec_file="/v1/users/user101/records/1.wav",
        audio=audio,
        direction="incoming",
        src="380441234567",
        dst="101",
        call_start_time=start.strftime("%Y-%m-%d %H:%M:%S"),
        call_end_time=(start + timedelta(seconds=RECORDING_SECONDS)).strftime("%Y-%m-%d %H:%M:%S"),
        duration=int(RECORDING_SECONDS),
    )
    ringcloud.configure(account.id, "501_costro", "cost-password", days=1)
    os.environ["RINGCLOUD_BASE_URL"] = fake.base_url
    settings.reload()  # the functions read their settings once
    function = template.functions()["RingcloudImportFunction"]
    runs = []
    try:
        with clock.manual() as scheduled:
            for run in range(2):
                scheduled.advance(run * RUN_EVERY_SECONDS)  # the next run: RingCloud's spacing has passed
                cost = Cost()
                with recorder.recording() as requests, _s3_counted(cost.s3):
                    started = time.perf_counter()
                    result = lambdas.invoke(function, {"source": "bench"})
                    cost.invocations.append((function.logical_id, time.perf_counter() - started, function.memory_mb))
                cost.dynamodb = list(requests)
                runs.append((cost, result))
    finally:
        fake.stop()
        ringcloud.remove(account.id)
    (imported, first), (empty, second) = runs
    [mine] = [entry for entry in first["accounts"] if entry["account_id"] == account.id]
    assert mine["calls_imported"] == 1 and mine["recordings_stored"] == 1, first
    assert all(entry["calls_imported"] == 0 for entry in second["accounts"]), second
    imported.stored_bytes = len(audio)
    return imported, empty


def _median_durations(costs: list[Cost]) -> Cost:
    """The last call's requests, with each hook's median duration over every measured call."""
    last = costs[-1]
    durations = [[seconds for _, seconds, _ in cost.invocations] for cost in costs]
    last.invocations = [
        (name, statistics.median(column), memory)
        for (name, _, memory), column in zip(last.invocations, zip(*durations, strict=True), strict=True)
    ]
    return last


def _dollars(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def _table(ringotel: Cost, ringcloud: Cost) -> list[str]:
    rows = [
        ("DynamoDB write request units", lambda c: f"{c.write_units:g} ({_indexes(c)})"),
        ("DynamoDB read request units", lambda c: f"{c.read_units:g}"),
        ("Lambda requests", lambda c: f"{len(c.invocations)}"),
        ("Lambda GB-seconds (measured duration × memory)", lambda c: f"{c.gb_seconds:.3f}"),
        ("API Gateway requests (per 512 KB)", lambda c: f"{c.api_requests}"),
        ("S3 requests (PUT class, GET class)", lambda c: f"{c.s3_put}, {c.s3_get}"),
        ("S3 storage (recording, MB per month kept)", lambda c: f"{c.stored_bytes / 1e6:.2f}"),
    ]
    lines = ["| per call | Ringotel call | RingCloud-imported call |", "|---|---:|---:|"]
    lines += [f"| {name} | {show(ringotel)} | {show(ringcloud)} |" for name, show in rows]
    lines += ["", f"| per {CALLS:,} calls, in dollars | Ringotel call | RingCloud-imported call |", "|---|---:|---:|"]
    ringotel_dollars, ringcloud_dollars = ringotel.dollars(), ringcloud.dollars()
    for item in ringotel_dollars:
        lines.append(
            f"| {item} | {_dollars(ringotel_dollars[item] * CALLS)} | {_dollars(ringcloud_dollars[item] * CALLS)} |"
        )
    totals = [_dollars(_per_calls(dollars)) for dollars in (ringotel_dollars, ringcloud_dollars)]
    lines.append(f"| **total, without storage** | **{totals[0]}** | **{totals[1]}** |")
    return lines


def _writes_by_request(cost: Cost) -> str:
    """The write units of each writing request, in order, like "4 + 2 (ChangesIndex)"."""
    writes = [request for request in cost.dynamodb if request.write]
    shown = [
        f"{request.write:g}" + (f" + {sum(request.index_writes.values())} index" if request.index_writes else "")
        for request in writes
    ]
    return f"{cost.write_units:g} write units in {len(writes)} requests ({'; '.join(shown)})"


def _months_to_outgrow(cost: Cost) -> int:
    """How many months of keeping the recording cost more than the call's requests."""
    dollars = cost.dollars()
    return math.floor(_per_calls(dollars) / CALLS / dollars["S3 storage, per month kept"]) + 1


def _per_calls(dollars: dict[str, float]) -> float:
    """Dollars per CALLS calls of every item but storage (which is per month kept, not per call)."""
    return sum(value for item, value in dollars.items() if "storage" not in item) * CALLS


def _indexes(cost: Cost) -> str:
    by_index = cost.index_write_units
    return "of which GSIs " + (", ".join(f"{name} {units}" for name, units in sorted(by_index.items())) or "none")


def _emulator_check(costs: list[Cost]) -> str:
    """How the emulator's ConsumedCapacity compares with the computed units, where it reports one."""
    reported = [request for cost in costs for request in cost.dynamodb if request.emulator_units is not None]
    agreeing = [request for request in reported if math.isclose(request.emulator_units or 0, request.units)]
    differing = Counter(request.operation for request in reported if request not in agreeing)
    return (
        f"The emulator (moto) reported a ConsumedCapacity for {len(reported)} of the "
        f"{sum(len(cost.dynamodb) for cost in costs)} requests and agrees with the computed units on "
        f"{len(agreeing)}; it differs on {', '.join(f'{op} ({n})' for op, n in sorted(differing.items())) or 'none'}: "
        "moto answers a fixed figure per operation (GetItem 0.5 whatever the consistency, a write 1 whatever the "
        "item's size, no index writes), so the computation, not the emulator, is what the table gives."
    )


def measure() -> Measured:
    from ringbridge_tools.fakes.ringcloud import tone
    from ringbridge_tools.local import demo

    audio = tone(RECORDING_SECONDS)  # 8 kHz 16-bit mono WAV, as telephony records: 0.96 MB a minute
    recorder = Recorder()
    account = demo.seed_account("Call cost", "UA")
    _ringotel_call(recorder, account, audio)  # every function warm, the token verified and cached
    ringotel = _median_durations([_ringotel_call(recorder, account, audio) for _ in range(RUNS)])
    ringcloud, empty_run = _ringcloud_runs(recorder, audio)
    # The prose says every index entry is under 1 KB: one unit to put or delete, two to move.
    assert all(units <= 2 for request in ringotel.dynamodb for units in request.index_writes.values())
    largest = max(ringotel.dollars().items(), key=lambda item: item[1] if "storage" not in item[0] else 0)
    runs_a_month = 30 * 24 * 3600 // RUN_EVERY_SECONDS
    empty_month = _per_calls(empty_run.dollars()) / CALLS * runs_a_month
    prices = (
        f"us-east-1 on-demand list prices as of {PRICES_AS_OF}: DynamoDB $0.625 per million write and $0.125 per "
        "million read request units; Lambda (arm64) $0.20 per million requests and $0.0000133334 per GB-second; "
        "HTTP API $1.00 per million requests (each 512 KB counted as one); S3 Standard $0.005 per 1,000 PUT-class "
        "and $0.0004 per 1,000 GET-class requests, $0.023 per GB-month"
    )
    text = "\n".join(
        [
            *_table(ringotel, ringcloud),
            "",
            f"Prices: {prices}. Free tiers left out.",
            "",
            f"What dominates: {largest[0]} ({_dollars(largest[1] * CALLS)} of a Ringotel call's "
            f"{_dollars(_per_calls(ringotel.dollars()))} per {CALLS:,} calls): {_writes_by_request(ringotel)}. "
            "Each activity write is a transaction (two units a KB) of the activity and its call-id copy, and moves "
            "its ChangesIndex entry (a delete and a put: the entry's sort key is the change time). Trimming the "
            "index's projection would save nothing: every entry is under 1 KB, the smallest unit. Until the "
            "recording upload became one PutObject for a file under one 8 MiB part, S3 requests were the largest "
            f"item of a RingCloud-imported call: 3 PUT-class requests (create, part, complete), now 1 "
            f"({_dollars(3 * PRICE['s3_put'] * CALLS)} then, {_dollars(PRICE['s3_put'] * CALLS)} now, per "
            f"{CALLS:,} calls). Beyond the calls, a recording kept costs "
            f"{_dollars(ringotel.dollars()['S3 storage, per month kept'] * CALLS)} a month per {CALLS:,} calls "
            "for every month it is kept (RecordingVersionRetentionDays adds a replaced version's for that long): "
            f"kept {_months_to_outgrow(ringotel)} months, more than all the call's requests.",
            "",
            f"Every import run also costs an account with RingCloud what a run that finds nothing new costs: "
            f"{empty_run.write_units:g} write and {empty_run.read_units:g} read units, "
            f"{empty_run.gb_seconds:.3f} GB-seconds, {sum(empty_run.s3.values())} S3 requests; "
            f"{_dollars(empty_month)} a month at one run every 5 minutes.",
            "",
            _emulator_check([ringotel, ringcloud, empty_run]),
            "",
            "Not counted: CloudWatch Logs (each function's log lines and the API's access log, $0.50 per GB "
            "ingested), DynamoDB storage ($0.25 per GB-month; a call's items are a few KB), the Ringostat push "
            "(activities do not invoke it), EventBridge Scheduler's invocations, data transfer out.",
        ]
    )
    return Measured(
        text,
        {
            "call_cost_ringotel": _dollars(_per_calls(ringotel.dollars())),
            "call_cost_ringcloud": _dollars(_per_calls(ringcloud.dollars())),
            "call_cost_prices": f"us-east-1 on-demand prices as of {PRICES_AS_OF}",
        },
    )
