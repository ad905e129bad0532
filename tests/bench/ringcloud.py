"""RingCloud import: one scheduled run over 1,000 completed calls (200 with recordings), then a re-run.

The fake RingCloud runs in this process on 127.0.0.1 and enforces RingCloud's per-key per-URL
limits; the run is the real lambda_handler in a fresh Python process (so its peak memory, VmHWM,
is the run's own), with a time budget the run does not reach. DynamoDB and S3 calls are counted
by botocore's events in the child. A second row puts 3,000 internal calls (skipped, nothing
written) beside the same 1,000: the page RingCloud answers with grows, the work does not, and
memory shows what holding the larger page costs. Two emulator patches keep moto's costs out of
the numbers: a Query reads its partition only (tests/bench/emulator.py), and no table copy is
made before each transaction (see ``_transactions_without_table_copies``).
"""

import copy
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ringbridge import settings

TITLE = "RingCloud import"
# (calls in RingCloud's answer, of which internal, of which with a recording). Internal calls are skipped
# unwritten, so the second row grows the page RingCloud answers with, not the work done per call.
SIZES = ((1_000, 0, 200), (4_000, 3_000, 200))
CONTACTS = 100
ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 20, 6, tzinfo=UTC)


def measure() -> str:
    from ringbridge.account_scope import AccountScope
    from ringbridge.logic import accounts, contacts, ringcloud
    from ringbridge.models.contact_input import ContactCreate
    from ringbridge_tools.fakes.ringcloud import FakeRingcloud, tone
    from tests.bench import emulator

    emulator.index_base_table_queries()  # a Query reads its partition only, as in DynamoDB (see emulator.py)
    _transactions_without_table_copies()
    audio = tone(1.0)  # 16 KB of WAV, the same bytes behind every recording
    rows, reruns = [], []
    for index, (size, internal, recorded) in enumerate(SIZES):
        fake = FakeRingcloud().start()
        key, password = f"77{index}_benchro", f"bench-password-{index}"
        fake.add_key(key, password, "RO")
        fake.users = [{"num": str(num), "user": f"user{num}"} for num in (101, 102, 103)]
        account = accounts.create_account(f"RingCloud bench {size}", "UA")
        for num in (101, 102, 103):
            accounts.create_user(account.id, f"User {num}", f"u{num}@example.com", extension=str(num))
        scope = AccountScope(account_id=account.id, region="UA", can_write=True)
        for n in range(CONTACTS):
            contacts.create_contact(
                scope, ContactCreate(first_name=f"Contact {n}", phones=[{"number": f"+38044{n:07d}"}])
            )
        external_calls = size - internal
        every = external_calls // recorded
        for n in range(size):
            start = START + timedelta(seconds=20 * n)
            external, extension = f"38044{n % (2 * CONTACTS):07d}", str(101 + n % 3)
            incoming = n % 2 == 0
            if n >= external_calls:
                fake.add_call(direction="internal", src="101", dst="102", call_start_time=str(start), duration=5)
                continue
            fake.add_call(
                rec_file=f"/v1/users/user{extension}/records/{n}.wav" if n % every == 0 else None,
                audio=audio,
                direction="incoming" if incoming else "outgoing",
                src=external if incoming else extension,
                dst=extension if incoming else external,
                call_start_time=start.strftime("%Y-%m-%d %H:%M:%S"),
                call_end_time=(start + timedelta(seconds=15)).strftime("%Y-%m-%d %H:%M:%S"),
                duration=15,
            )
        environment = {**os.environ, "RINGCLOUD_BASE_URL": fake.base_url, "POWERTOOLS_LOG_LEVEL": "WARNING"}
        ringcloud.configure(account.id, key, password, days=7)
        try:
            first = _child(environment)
            served_first = len(fake.requests)
            second = _child(environment)
        finally:
            fake.stop()
            ringcloud.remove(account.id)
        assert first["calls_imported"] == external_calls and first["recordings_stored"] == recorded, first
        assert second["calls_imported"] == 0 and second["recordings_stored"] == 0, second
        # One transaction per call and per recording: none was cancelled (see _transactions_without_table_copies).
        assert first["dynamodb_by_operation"]["TransactWriteItems"] == external_calls + recorded, first
        assert "TransactWriteItems" not in second["dynamodb_by_operation"], second
        assert fake.violations == 0
        page_mb = len(json.dumps({"status": "success", "message": None, "data": fake.calls})) / 1e6
        rows.append(
            f"| {size:,} ({internal:,}, {recorded}) | {served_first} | {first['dynamodb_calls'] / external_calls:.2f} "
            f"| {first['s3_calls']} | {first['seconds']:.0f} s ({first['seconds'] - first['dynamodb_seconds']:.0f} s "
            f"without DynamoDB) | {first['peak_mb']:.0f} MB "
            f"(imports {first['imported_mb']:.0f} MB, RingCloud's page {page_mb:.1f} MB) |"
        )
        reruns.append(
            f"| {size:,} | {len(fake.requests) - served_first} | {second['dynamodb_calls']} "
            f"({_top(second['dynamodb_by_operation'])}) | {second['seconds']:.2f} s |"
        )
    emulator.restore_base_table_queries()
    _restore_transactions()
    return "\n".join(
        [
            "First run: every call new. RingCloud requests are the ones the fake served (the call list, the "
            "user list, one per recording); the fake counted no request over RingCloud's limits. DynamoDB calls "
            "per imported call include the run's fixed reads and writes (per call: the contact Query and one "
            "transaction; per recording: two reads and one transaction); S3 calls are the multipart uploads "
            "(create, part, complete per recording). Wall time is against moto on a 2-core machine shared with "
            "other work; moto's Query is patched to read one partition and its transactions not to copy the "
            "table (see tests/bench/ringcloud.py).",
            "",
            "| calls (internal, with recording) | RingCloud requests | DynamoDB calls per imported call | S3 calls "
            "| wall time "
            "| run's peak memory |",
            "|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "Re-run over the same window (the next scheduled run): nothing new to import or download.",
            "",
            "| calls | RingCloud requests | DynamoDB calls | wall time |",
            "|---:|---:|---:|---:|",
            *reruns,
        ]
    )


class _NoTableCopy:
    """Stands in for the ``copy`` module inside moto's transact_write_items only."""

    @staticmethod
    def deepcopy(value: Any) -> Any:
        return value


def _transactions_without_table_copies() -> None:
    """Stop moto deep-copying every table before each transaction (for a rollback).

    That copy makes each transaction cost as much as the whole table, so importing 1,000 calls
    into a growing table measures moto, not the import (20 minutes and gigabytes on a shared
    machine). Without it a cancelled transaction could not be rolled back, so the bench checks
    that none is: every call id of a first run is new, and a re-run writes nothing.
    """
    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items
    _ORIGINAL_TRANSACT.append(original)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        models.copy = _NoTableCopy  # type: ignore[assignment]
        try:
            return original(self, transact_items)
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


_ORIGINAL_TRANSACT: list[Any] = []


def _restore_transactions() -> None:
    import moto.dynamodb.models as models

    models.DynamoDBBackend.transact_write_items = _ORIGINAL_TRANSACT.pop()  # type: ignore[method-assign]


def _top(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items(), key=lambda pair: -pair[1]))


def _child(environment: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.ringcloud"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run() -> None:
    """One invocation of the real handler, with a deployed run's budget; calls to AWS counted."""

    from ringbridge import aws
    from ringbridge_tools.local import lambdas, stack, template
    from tests.bench.ringostat import _status_kb

    fake_url = os.environ["RINGCLOUD_BASE_URL"]
    stack.use_endpoint(os.environ["AWS_ENDPOINT_URL"])
    os.environ.update(stack.function_environment())
    os.environ["RINGCLOUD_BASE_URL"] = fake_url  # the template's is RingCloud's own
    settings.reload()  # the functions read their settings once

    operations: Counter[str] = Counter()
    s3_calls = [0]
    waited = [0.0]
    started_call: list[float] = []

    def before(model: Any, **_: Any) -> None:
        operations.update([model.name])
        started_call.append(time.perf_counter())

    def after(**_: Any) -> None:
        waited[0] += time.perf_counter() - started_call.pop()

    aws.dynamodb().meta.events.register("before-call.dynamodb", before)
    aws.dynamodb().meta.events.register("after-call.dynamodb", after)
    aws.s3().meta.events.register("before-call.s3", lambda **_: s3_calls.__setitem__(0, s3_calls[0] + 1))
    function = template.functions()["RingcloudImportFunction"]
    handler = lambdas.handler_of(function)
    imported_kb = _status_kb("VmRSS")
    started = time.perf_counter()
    # More time than a deployed run's 300 s: the emulator on a shared machine is slow.
    context = lambdas.LambdaContext(function.logical_id, timeout_seconds=1800, memory_limit_in_mb=function.memory_mb)
    result = handler({"source": "bench"}, context)
    seconds = time.perf_counter() - started
    [account] = result["accounts"]  # each size's account is removed after its runs
    assert not result["stopped_early"] and not account["errors"], result
    print(
        json.dumps(
            {
                "seconds": seconds,
                "dynamodb_seconds": waited[0],
                "calls_imported": account["calls_imported"],
                "recordings_stored": account["recordings_stored"],
                "dynamodb_calls": sum(operations.values()),
                "dynamodb_by_operation": dict(operations),
                "s3_calls": s3_calls[0],
                "peak_mb": _status_kb("VmHWM") / 1024,
                "imported_mb": imported_kb / 1024,
            }
        )
    )


if __name__ == "__main__":
    _run()
