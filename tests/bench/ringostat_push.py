"""Ringostat push: from a contact write to its arrival at Ringostat, and requests per 1,000 changed contacts.

Everything is the local stack's own: the bench emulator (moto, in the parent process) with the
table's stream, the stream poller of ``ringbridge serve`` (the template's filters, batch size and
batching window), the real RingostatPushFunction handler, and the fake Ringostat on 127.0.0.1. The
measurement runs in a child process, so the poller, the function and the fake do not share the
emulator's interpreter.

- Latency: 200 contacts created one after another through the CreateContact handler, in a process of
  its own; for each, the time from the handler's 201 answer (the write is committed) to the fake
  receiving the request.
- Requests: 1,000 contacts written in a burst as CreateContact writes them (each with its number
  copy, which the filter drops), then the requests the fake received for them.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringbridge import settings
from tests.bench import Measured

if TYPE_CHECKING:
    from ringbridge.dal.items import ContactItem

TITLE = "Ringostat push"
LATENCY_WRITES = 200
BURST = 1_000
PROJECT_ID = 9301
WAIT_SECONDS = 300
ROOT = Path(__file__).resolve().parents[2]


QUOTED = ("push_p50", "push_p95", "push_writes", "push_requests_per_1000")


def measure() -> Measured:
    from tests.bench import emulator

    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.ringostat_push"],
        cwd=ROOT,
        env={**os.environ, "AWS_ENDPOINT_URL": emulator.start(), "POWERTOOLS_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    latency, burst = result["latency"], result["burst"]
    requests_per_1000 = f"{burst['requests'] * 1000 / burst['contacts']:.0f}"
    text = "\n".join(
        [
            f"The template's event source mapping (batches of {result['batch_size']}, a batching window of "
            f"{result['window_seconds']:g} s) emulated by the stream poller of `ringbridge serve`; the real handler; "
            "a fake Ringostat on 127.0.0.1. In AWS the stream itself adds about a second.",
            "",
            f"| write → arrival at Ringostat, over {latency['writes']} writes | p50 | p95 | max |",
            "|---|---:|---:|---:|",
            f"| created through CreateContact one after another | {latency['p50']:.2f} s | {latency['p95']:.2f} s "
            f"| {latency['max']:.2f} s |",
            "",
            "| changed contacts written in a burst | function invocations | Ringostat requests "
            "| requests per 1,000 contacts | last arrival after the burst |",
            "|---:|---:|---:|---:|---:|",
            f"| {burst['contacts']:,} | {burst['invocations']} | {burst['requests']} "
            f"| {requests_per_1000} | {burst['last_arrival_seconds']:.1f} s |",
        ]
    )
    quoted = {"push_p50": f"{latency['p50']:.2f} s", "push_p95": f"{latency['p95']:.2f} s"}
    return Measured(
        text, {**quoted, "push_writes": str(latency["writes"]), "push_requests_per_1000": requests_per_1000}
    )


def _run() -> dict[str, Any]:
    from ringbridge.dal import contacts as contacts_dal
    from ringbridge.logic import accounts, ringostat_config
    from ringbridge_tools.fakes.ringostat import FakeRingostat, Received
    from ringbridge_tools.local import stack, streams

    stack.use_endpoint(os.environ["AWS_ENDPOINT_URL"])
    os.environ.update(stack.function_environment())
    settings.reload()  # the functions read their settings once
    arrived: dict[str, float] = {}
    fake = FakeRingostat()

    def on_receive(received: Received) -> None:
        if received.accepted and received.path == "/minicrm/contacts/sync":
            moment = time.monotonic()
            for contact in received.body["contacts"]:
                arrived.setdefault(contact["externalId"], moment)

    fake.on_receive = on_receive
    fake.start()
    os.environ["RINGOSTAT_BASE_URL"] = fake.base_url
    settings.reload()  # the functions read their settings once
    account = accounts.create_account("Ringostat push bench", "UA")
    _, rw_token = accounts.create_token(account.id, "rw")
    fake.add_project(PROJECT_ID, "bench-push-key")
    ringostat_config.configure(account.id, PROJECT_ID, "bench-push-key", "ringbridge", "https://crm.example.com/c/{id}")

    [mapping] = [each for each in streams.mappings() if each.function.logical_id == "RingostatPushFunction"]
    invocations: list[int] = []
    seen: set[str] = set()

    def observe(batch: list[dict[str, Any]]) -> None:
        invocations.append(len(batch))
        seen.update(record["dynamodb"]["Keys"]["SK"]["S"].removeprefix("CONTACT#") for record in batch)

    poller = streams.StreamPoller(mapping, observe=observe)
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()

    # Latency: one write after another through the real CreateContact handler, in another process
    # (as another Lambda function would be); time.monotonic() is one clock for every process.
    writer = subprocess.run(
        [sys.executable, "-m", "tests.bench.ringostat_push", "write", rw_token],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert writer.returncode == 0, writer.stderr[-3000:]
    written: dict[str, float] = json.loads(writer.stdout.strip().splitlines()[-1])
    _wait_for(
        lambda: set(written) <= set(arrived),
        lambda: {
            "missing": sorted(set(written) - set(arrived)),
            "invoked": sorted((set(written) - set(arrived)) & seen),
        },
    )
    delays = sorted(arrived[contact_id] - moment for contact_id, moment in written.items())

    # Requests per 1,000: a burst of contact items and their number copies, 25 per BatchWriteItem
    fake.clear()
    invocations.clear()
    puts = []
    for n in range(BURST):
        contact: ContactItem = {
            "id": f"{account.id[:10]}{n:016d}",
            "first_name": f"Burst {n}",
            "phones": [{"number": f"044 {n:07d}", "type": "work", "e164": f"+38044{n:07d}"}],
            "emails": [],
            "version": 1,
            "created_at": "2026-11-23T18:00:00.000Z",
            "updated_at": "2026-11-23T18:00:00.000Z",
        }
        puts += [
            {"PutRequest": {"Item": each["Put"]["Item"]}}
            for each in contacts_dal.contact_puts(account.id, contact, None)
        ]
    burst_ids = {f"{account.id[:10]}{n:016d}" for n in range(BURST)}
    from ringbridge import aws
    from ringbridge.dal import table

    for first in range(0, len(puts), 25):
        request = {table.name(): puts[first : first + 25]}
        while request:
            request = aws.dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    burst_written = time.monotonic()
    _wait_for(lambda: burst_ids <= set(arrived))
    stop.set()
    thread.join()
    fake.stop()
    assert not fake.problems, fake.problems[:3]
    return {
        "batch_size": mapping.batch_size,
        "window_seconds": mapping.window_seconds,
        "latency": {
            "writes": len(delays),
            "p50": statistics.median(delays),
            "p95": delays[int(len(delays) * 0.95) - 1],
            "max": delays[-1],
        },
        "burst": {
            "contacts": BURST,
            "invocations": len(invocations),
            "requests": len(fake.requests),
            "last_arrival_seconds": max(arrived[contact_id] for contact_id in burst_ids) - burst_written,
        },
    }


def _write(rw_token: str) -> dict[str, float]:
    """Create the contacts one after another; answers when each write was answered (time.monotonic)."""
    from ringbridge_tools.local import lambdas, stack, template

    stack.use_endpoint(os.environ["AWS_ENDPOINT_URL"])
    create = template.functions()["RingotelCreateContactFunction"]
    written: dict[str, float] = {}
    for n in range(LATENCY_WRITES):
        body = json.dumps({"first_name": f"Latency {n}", "phones": [{"number": f"044 {n:07d}"}]})
        event = lambdas.http_event(
            "POST",
            "/ringotel/contacts",
            headers={"authorization": f"Bearer {rw_token}", "content-type": "application/json"},
            body=body,
            route_path="/ringotel/contacts",
        )
        answer = lambdas.invoke(create, event)
        assert answer["statusCode"] == 201, answer
        written[json.loads(answer["body"])["id"]] = time.monotonic()
    return written


def _wait_for(condition: Any, explain: Any = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"the pushed contacts did not all arrive: {explain() if explain else ''}"
        time.sleep(0.05)


if __name__ == "__main__":
    print(json.dumps(_write(sys.argv[2]) if sys.argv[1:2] == ["write"] else _run()))
