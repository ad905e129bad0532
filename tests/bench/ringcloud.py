"""RingCloud import: one scheduled run over 1,000 completed calls (200 with recordings), then a re-run.

The fake RingCloud runs in this process on 127.0.0.1 and enforces RingCloud's per-key per-URL
limits; the run is the real lambda_handler in a fresh Python process (so its peak memory, VmHWM,
is the run's own), with a deployed run's time budget. DynamoDB and S3 calls are counted by
botocore's events in the child. A second size shows how peak memory grows with the calls of
the window (RingCloud answers them in one response: that page is the one thing held whole).
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TITLE = "RingCloud import"
SIZES = ((1_000, 200), (2_000, 200))  # (calls, of which with a recording)
CONTACTS = 100
ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 20, 6, tzinfo=UTC)


def measure() -> str:
    from ringbridge.auth import Caller
    from ringbridge.local.fakes.ringcloud import FakeRingcloud, tone
    from ringbridge.logic import accounts, contacts, ringcloud
    from ringbridge.models.contacts import ContactCreate
    from tests.bench import emulator

    emulator.index_base_table_queries()  # a Query reads its partition only, as in DynamoDB (see emulator.py)
    audio = tone(1.0)  # 16 KB of WAV, the same bytes behind every recording
    rows, reruns = [], []
    for index, (size, recorded) in enumerate(SIZES):
        fake = FakeRingcloud().start()
        key, password = f"77{index}_benchro", f"bench-password-{index}"
        fake.add_key(key, password, "RO")
        fake.users = [{"num": str(num), "user": f"user{num}"} for num in (101, 102, 103)]
        account = accounts.create_account(f"RingCloud bench {size}", "UA")
        for num in (101, 102, 103):
            accounts.create_user(account.id, f"User {num}", f"u{num}@example.com", extension=str(num))
        caller = Caller(account.id, "bench", "rw", "UA")
        for n in range(CONTACTS):
            contacts.create_contact(
                caller, ContactCreate(first_name=f"Contact {n}", phones=[{"number": f"+38044{n:07d}"}])
            )
        every = size // recorded
        for n in range(size):
            start = START + timedelta(seconds=20 * n)
            external, extension = f"38044{n % (2 * CONTACTS):07d}", str(101 + n % 3)
            incoming = n % 2 == 0
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
        assert first["calls_imported"] == size and first["recordings_stored"] == recorded, first
        assert second["calls_imported"] == 0 and second["recordings_stored"] == 0, second
        assert fake.violations == 0
        page_mb = len(json.dumps({"status": "success", "message": None, "data": fake.calls})) / 1e6
        rows.append(
            f"| {size:,} ({recorded}) | {served_first} | {first['dynamodb_calls'] / size:.2f} "
            f"| {first['s3_calls']} | {first['seconds']:.0f} s ({first['seconds'] - first['dynamodb_seconds']:.0f} s "
            f"without DynamoDB) | {first['peak_mb']:.0f} MB "
            f"(imports {first['imported_mb']:.0f} MB, RingCloud's page {page_mb:.1f} MB) |"
        )
        reruns.append(
            f"| {size:,} | {len(fake.requests) - served_first} | {second['dynamodb_calls']} "
            f"({_top(second['dynamodb_by_operation'])}) | {second['seconds']:.2f} s |"
        )
    emulator.restore_base_table_queries()
    return "\n".join(
        [
            "First run: every call new. RingCloud requests are the ones the fake served (the call list, the "
            "user list, one per recording); the fake counted no request over RingCloud's limits. DynamoDB calls "
            "per call include the run's fixed reads and writes; S3 calls are the multipart uploads (create, "
            "part, complete per recording).",
            "",
            "| calls (with recording) | RingCloud requests | DynamoDB calls per call | S3 calls | wall time "
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
    from ringbridge.local import lambdas, stack, template
    from tests.bench.ringostat import _status_kb

    fake_url = os.environ["RINGCLOUD_BASE_URL"]
    stack.use_endpoint(os.environ["AWS_ENDPOINT_URL"])
    os.environ.update(stack.function_environment())
    os.environ["RINGCLOUD_BASE_URL"] = fake_url  # the template's is RingCloud's own

    class Context(lambdas.LambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return 1_800_000  # more than a deployed run's 300 s: the emulator on a shared machine is slow

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
    result = handler({"source": "bench"}, Context(function_name=function.logical_id))
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
