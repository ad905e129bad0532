"""Per function: cold-start cost beside the floor, and DynamoDB round trips per request.

Cold start: wall time of a fresh Python process that imports the function module and serves its
sample event (events/), beside the floor: a fresh process that only imports boto3 and creates one
DynamoDB client. Floor and function runs alternate, and the cost over the floor is the median of
the paired differences, so drift in the machine's speed during the run cancels out. Each process
exits without interpreter teardown, as a Lambda instance does not tear down per request.
Round trips: the DynamoDB calls of that event's first request (which also verifies the token) and
of a second, warm one (token verification cached).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ringbridge.local import demo, events, template

TITLE = "Cold start and DynamoDB round trips per function"
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
CHILD = Path(__file__).with_name("cold_child.py")


def _run(*args: str) -> tuple[float, str]:
    import time

    started = time.perf_counter()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, str(CHILD), *args], capture_output=True, text=True, check=True, env=env)
    return (time.perf_counter() - started) * 1000, done.stdout.strip().splitlines()[-1] if done.stdout else ""


def _event_for(function: template.Function) -> Path | None:
    """events/<area>/<LogicalId>.json (API shape); for a function with no routes (scheduled, stream),
    a non-HTTP event in the folder named like its package: the one named like its module
    (events/ringostat/push.json for ringostat.push), else the first not named like another function's module."""
    named = events.EVENTS_DIR.rglob(f"{function.logical_id}.json")
    area, module = function.module.split(".", 1)
    others = {f.module.split(".", 1)[1] for f in template.functions().values() if f.module.startswith(f"{area}.")}
    others.discard(module)
    candidates = [
        path
        for path in (events.EVENTS_DIR / area).glob("*.json")
        if path.stem not in others and not events.is_http(json.loads(path.read_text()))
    ]
    unrouted = sorted(candidates, key=lambda path: (path.stem != module, path.name)) if not function.routes else []
    return next(iter([*named, *unrouted]), None)


def measure() -> str:
    values = events.placeholders(demo.seed_account("Bench UA", "UA"))
    _run("floor")  # first run pays for compiling bytecode: not a cold start we measure
    floor = statistics.median(_run("floor")[0] for _ in range(RUNS))
    rows = [
        "| function | cold start (ms) | over floor (ms) | status | DynamoDB calls, first request | warm request |",
        "|---|---:|---:|---:|---|---|",
        f"| floor: `import boto3; boto3.client('dynamodb')` | {floor:.0f} | 0 | | | |",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        for function in template.functions().values():
            source = _event_for(function)
            if source is None:
                rows.append(f"| {function.logical_id} | no sample event | | | | |")
                continue
            event = Path(scratch, source.name)
            event.write_text(json.dumps(events.load(source, values)))
            _run("time", function.module, str(event))
            pairs = [(_run("floor")[0], _run("time", function.module, str(event))) for _ in range(RUNS)]
            cold = statistics.median(ms for _, (ms, _) in pairs)
            over = statistics.median(ms - floor_ms for floor_ms, (ms, _) in pairs)
            status = json.loads(pairs[-1][1][1])["status"]
            counted = json.loads(_run("calls", function.module, str(event))[1])
            rows.append(
                f"| {function.logical_id} | {cold:.0f} | {over:+.0f} | {status or ''} | "
                f"{len(counted['cold'])}: {', '.join(counted['cold']) or '-'} | "
                f"{len(counted['warm'])}: {', '.join(counted['warm']) or '-'} |"
            )
    rows.append("")
    rows.append(
        f"Medians of {RUNS} fresh processes each, Python {sys.version.split()[0]}. The installed packages "
        "have bytecode; ringbridge's own modules are compiled at every start. Target: floor + 150 ms. "
        "A sample event is replayed many times, so a CreateActivity or webhook event after the first is a "
        "retry of its call_id: those rows count the retry path (the first creation is 3 calls, see below)."
    )
    return "\n".join(rows)
