"""Ringostat sync: throughput, HTTP requests and peak memory of one scheduled run.

moto answers a GSI Query by going through the whole table, so in the bench emulator (which also
holds the 100,000 contacts of the FindContact section) it would measure moto, not the sync. This
section therefore starts its own moto server, and reports the time spent waiting for it apart.
Contacts are written as CreateContact writes them (dal.contacts' items), an hour old so the safety
lag does not hold them back. Seeding and the run each happen in a fresh Python process, so the
run's peak memory (VmHWM, reset by exec) is the run's own. The run is the real lambda_handler with
a Lambda-sized time budget, against a fake Ringostat on 127.0.0.1 that validates every payload.
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringbridge import settings

if TYPE_CHECKING:
    from ringbridge.dal.items import ContactItem

TITLE = "Ringostat sync"
SIZES = (1_000, 10_000)
ROOT = Path(__file__).resolve().parents[2]


def measure() -> str:
    from ringbridge_tools.fakes.ringostat import FakeRingostat
    from ringbridge_tools.local import stack
    from tests.bench import emulator

    port = emulator._free_port()
    moto = stack.start_emulator(port)
    server = FakeRingostat().start()
    environment = {
        **os.environ,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "RINGOSTAT_BASE_URL": server.base_url,
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    rows = []
    try:
        for project_id, size in enumerate(SIZES, start=9001):
            server.add_project(project_id, f"bench-key-{project_id}")
            _child(environment, "seed", str(size), str(project_id))
            server.clear()
            run = _child(environment, "run")
            sent = len(server.accepted("contacts", project_id))
            assert sent == size and not server.problems, (sent, server.problems[:3])
            requests = len(server.requests)
            own_seconds = run["seconds"] - run["dynamodb_seconds"]
            rows.append(
                f"| {size:,} | {size / run['seconds']:,.0f} | {size / own_seconds:,.0f} | {requests} "
                f"| {requests * 1000 / size:.0f} | {run['peak_mb']:.0f} MB (imports: {run['imported_mb']:.0f} MB) |"
            )
    finally:
        server.stop()
        moto.stop()
    batch_size = environment.get("RINGOSTAT_BATCH_SIZE") or "100"
    return "\n".join(
        [
            f"One scheduled run per size, batches of {batch_size}, every payload validated by the fake server "
            "against Ringostat's field table. The second rate leaves out the time spent waiting for the "
            "emulator (moto's GSI Query is far slower than DynamoDB's).",
            "",
            "| changed contacts | contacts synced per second | same, without emulator time | HTTP requests "
            "| requests per 1,000 contacts | run's peak memory |",
            "|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )


def _child(environment: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.ringostat", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _seed(size: int, project_id: int) -> None:
    """A new account with ``size`` contacts (a phone, an email, an owner each), configured for the project."""
    from ringbridge import aws, clock
    from ringbridge.dal import contacts, table
    from ringbridge.logic import accounts, ringostat_config
    from ringbridge_tools.local import stack

    stack.use_endpoint(os.environ["AWS_ENDPOINT_URL"])
    os.environ.update(stack.function_environment())
    settings.reload()  # the functions read their settings once
    stack.create_resources()
    account = accounts.create_account(f"Ringostat bench {size}", "UA")
    owner = accounts.create_user(account.id, "Bench Owner", "owner@example.com")
    start = clock.now() - timedelta(hours=1)
    puts = []
    for n in range(size):
        moment = clock.iso(start + timedelta(milliseconds=n))
        contact: ContactItem = {
            "id": f"{account.id[:10]}{n:016d}",
            "first_name": f"Contact {n}",
            "last_name": "Bench",
            "job_title": None,
            "company_name": None,
            "organization_id": None,
            "owner_id": owner.id,
            "phones": [{"number": f"044 {n:07d}", "type": "work", "e164": f"+38044{n:07d}"}],
            "emails": [f"contact{n}@example.com"],
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
        }
        puts.append({"PutRequest": {"Item": contacts.contact_puts(account.id, contact, None)[0]["Put"]["Item"]}})
    for first in range(0, len(puts), 25):
        request = {table.name(): puts[first : first + 25]}
        while request:
            request = aws.dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    ringostat_config.configure(
        account.id, project_id, f"bench-key-{project_id}", "ringbridge", "https://crm.example.com/c/{id}"
    )
    print(json.dumps({"account_id": account.id}))


def _run() -> None:
    """One invocation of the real handler; earlier accounts have nothing left to send."""

    from ringbridge import aws
    from ringbridge_tools.local import lambdas, stack, template

    stack.use_endpoint(os.environ["AWS_ENDPOINT_URL"])
    os.environ.update(stack.function_environment())
    settings.reload()  # the functions read their settings once

    waited = [0.0]
    started_call: list[float] = []
    events = aws.dynamodb().meta.events
    events.register("before-call.dynamodb", lambda **_: started_call.append(time.perf_counter()))
    events.register(
        "after-call.dynamodb", lambda **_: waited.__setitem__(0, waited[0] + time.perf_counter() - started_call.pop())
    )

    function = template.functions()["RingostatSyncFunction"]
    handler = lambdas.handler_of(function)
    imported_kb = _status_kb("VmRSS")
    started = time.perf_counter()
    result = handler(
        {"source": "bench"},
        lambdas.LambdaContext(function.logical_id, timeout_seconds=900, memory_limit_in_mb=function.memory_mb),
    )
    seconds = time.perf_counter() - started
    assert not result["stopped_early"] and all(account["error"] is None for account in result["accounts"]), result
    print(
        json.dumps(
            {
                "seconds": seconds,
                "dynamodb_seconds": waited[0],
                "peak_mb": _status_kb("VmHWM") / 1024,
                "imported_mb": imported_kb / 1024,
            }
        )
    )


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc (VmHWM: peak resident set since exec)."""
    lines = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in lines if line.startswith(f"{field}:"))


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        _seed(int(sys.argv[2]), int(sys.argv[3]))
    else:
        _run()
