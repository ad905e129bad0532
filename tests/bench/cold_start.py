"""Per function: cold start of what we deploy, where its import time goes, DynamoDB round trips.

Cold start: wall time of a fresh python3.13 process that imports the function's handler from the
artifact (its function directory, the layer, the runtime's boto3 on sys.path as Lambda orders them;
every file dated 1980-01-01 as SAM's zip leaves it; nothing can write bytecode, as /opt and
/var/task are read-only) and serves its sample event (events/) against the emulator, beside the
floor: a fresh process that only imports boto3 and creates one DynamoDB client. Three builds:
  - SAM's default (BuildMethod python3.13): the same files without any .pyc;
  - ours (layers/Makefile, functions/Makefile): hash-based .pyc beside every source;
  - the dev venv (source tree, its Python), for comparison with earlier numbers.
The artifact is built by the Makefiles `sam build` runs, for this machine's architecture: Lambda's
arm64 wheels (pydantic_core) cannot run here. Floor and function runs alternate, and the cost over
the floor is the median of the paired differences, so drift in the machine's speed cancels out.
Each process exits without interpreter teardown, as a Lambda instance does not tear down per request.
Round trips: the DynamoDB calls of that event's first request (which also verifies the token) and
of a second, warm one (token verification cached).
"""

import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ringbridge_tools.local import demo, events, template
from tests.bench import Measured, artifact

TITLE = "Cold start and DynamoDB round trips per function"
RUNS = int(os.environ.get("BENCH_RUNS", "11"))
ONLY = set(filter(None, os.environ.get("BENCH_FUNCTIONS", "").split(",")))  # e.g. RingotelFindContactFunction
CHILD = Path(__file__).with_name("cold_child.py")
BUILDS = artifact.ROOT / ".aws-sam" / "bench"
HOOKS = {"RingotelFindContactFunction", "RingotelCreateActivityFunction"}  # a ringing phone waits on these
TOP = 10
IMPORT_RUNS = 3
# Targets over the floor, as shares of the floor's own CPU time: this machine's speed moves by half or more from
# day to day, and the floor moves with it. Set where the floor took 206 ms: +100 ms for the two hooks, +150 for
# the others.
HOOK_TARGET, TARGET = 0.5, 0.75
ONE_VCPU_MB = 1769  # Lambda gives CPU in proportion to memory: 1,769 MB is one vCPU


def _run(
    python: str, paths: list[str] | None, *args: str, flags: tuple[str, ...] = ()
) -> tuple[float, float, str, str]:
    """One fresh process: its wall time and CPU time (user + sys) in ms, its last stdout line, its stderr."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("BENCH_SYS_PATH", None)
    if paths:
        env["BENCH_SYS_PATH"] = os.pathsep.join(paths)
        # -S: this machine's site-packages are not Lambda's; BENCH_SYS_PATH is the whole of sys.path's rest
        flags = ("-S", *flags)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # -P: the bench's own folder is not on sys.path; -s: no user site-packages
    done = subprocess.run([python, "-P", "-s", *flags, str(CHILD), *args], capture_output=True, text=True, env=env)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    if done.returncode:
        raise RuntimeError(f"{python} {' '.join(args)} failed:\n{done.stderr}")
    return wall, cpu, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "", done.stderr


def event_for(function: template.Function) -> Path | None:
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


def builds() -> tuple[Path, Path, Path]:
    """Ours and SAM's default (no bytecode), dated as SAM's zip dates them, and the runtime's boto3."""
    ours, bare = BUILDS / "ours", BUILDS / "sam-default"
    shutil.rmtree(ours, ignore_errors=True)
    shutil.rmtree(bare, ignore_errors=True)
    artifact.build(ours, artifact.HOST_PLATFORM)
    shutil.copytree(ours, bare)
    artifact.without_bytecode(bare)
    artifact.date_as_sam_zip(ours)
    artifact.date_as_sam_zip(bare)
    return ours, bare, artifact.runtime(BUILDS / "runtime")


def _imports(python: str, paths: list[str], args: Callable[[], tuple[str, ...]]) -> dict[str, float]:
    """-X importtime: each module's own import time in ms, the least of IMPORT_RUNS runs (less noise)."""
    runs = []
    for _ in range(IMPORT_RUNS):
        own: dict[str, float] = {}
        for line in _run(python, paths, *args(), flags=("-X", "importtime"))[3].splitlines():
            if line.startswith("import time:") and "|" in line and "self [us]" not in line:
                self_us, _, name = line.removeprefix("import time:").split("|")
                own[name.strip()] = own.get(name.strip(), 0) + int(self_us) / 1000
        runs.append(own)
    return {name: min(run.get(name, 0) for run in runs) for name in runs[0]}


def _new_call(event: dict, call_id: str) -> dict:
    """``event`` with every call_id in its JSON body (a Ringotel hook's or webhook's) replaced."""

    def replaced(value: object) -> object:
        if isinstance(value, dict):
            return {key: call_id if key == "call_id" else replaced(item) for key, item in value.items()}
        return [replaced(item) for item in value] if isinstance(value, list) else value

    if not isinstance(event.get("body"), str) or '"call_id"' not in event["body"]:
        return event
    return {**event, "body": json.dumps(replaced(json.loads(event["body"])))}


def _over(pairs: list[tuple[float, float]]) -> float:
    """The median of (run - its floor run)."""
    return statistics.median(ms - floor_ms for floor_ms, ms in pairs)


# The names the docs' prose quotes (see tests/bench/__init__.py); the two hooks by their short names.
HOOK_NAMES = {"RingotelFindContactFunction": "find_contact", "RingotelCreateActivityFunction": "create_activity"}
QUOTED = (
    "cold_targets_met",
    "cold_others",
    "cold_bytecode_saves",
    *(f"cold_{name}{suffix}" for name in HOOK_NAMES.values() for suffix in ("", "_512_ms", "_1024_ms")),
)


def measure() -> Measured:  # noqa: C901 - one pass of interleaved runs fills four tables
    values = events.placeholders(demo.seed_account("Bench UA", "UA"))
    py313, dev = artifact.python313(), sys.executable
    ours, bare, runtime = builds()
    floor_paths = [str(runtime)]
    floor_modules = set(_imports(py313, floor_paths, lambda: ("floor",)))
    floors: dict[str, list[tuple[float, float]]] = {"313": [], "dev": []}  # (wall, cpu)
    floor_runs = {"313": (py313, floor_paths), "dev": (dev, None)}
    for python, paths in floor_runs.values():
        _run(python, paths, "floor")  # the first run reads the files from disk: not a cold start we measure
    rows = [
        "| function | SAM default: no .pyc | ours: hash-based .pyc | dev venv | target | ours, wall | status "
        "| DynamoDB calls, first request | warm request |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    memory_rows = [
        "| function | CPU ms, whole cold start | at 512 MB | at 1024 MB |",
        "|---|---:|---:|---:|",
    ]
    top_rows = [f"| function | top {TOP} modules beyond the floor, own import time (ms) |", "|---|---|"]
    overs: dict[str, dict[str, float]] = {}  # function -> build -> CPU ms over the floor
    met: list[bool] = []
    quoted: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for function in template.functions().values():
            if ONLY and function.logical_id not in ONLY:
                continue
            source = event_for(function)
            if source is None:
                rows.append(f"| {function.logical_id} | no sample event | | | | | | | |")
                continue
            sample, numbers = events.load(source, values), itertools.count()

            def new_call(name: str = source.name) -> str:
                """The event in a file, with a call_id of its own: each run is a new call's, not a retry."""
                event = Path(scratch, name)
                event.write_text(json.dumps(_new_call(sample, f"{function.logical_id}-{next(numbers)}")))
                return str(event)

            def next_call() -> tuple[str, ...]:
                return ("time", function.module, new_call())

            runs = {
                "sam": (py313, artifact.sys_path(bare, function.logical_id, runtime), "313"),
                "ours": (py313, artifact.sys_path(ours, function.logical_id, runtime), "313"),
                "dev": (dev, None, "dev"),
            }
            for python, paths, _ in runs.values():
                _run(python, paths, *next_call())
            wall: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
            cpu: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
            status = ""
            for _ in range(RUNS):
                floor = {name: _run(python, paths, "floor")[:2] for name, (python, paths) in floor_runs.items()}
                for name, (python, paths, floor_name) in runs.items():
                    wall_ms, cpu_ms, out, _ = _run(python, paths, *next_call())
                    wall[name].append((floor[floor_name][0], wall_ms))
                    cpu[name].append((floor[floor_name][1], cpu_ms))
                    status = json.loads(out)["status"] if name == "ours" else status
                for name, measured in floor.items():
                    floors[name].append(measured)
            over = overs[function.logical_id] = {name: _over(pairs) for name, pairs in cpu.items()}
            floor_cpu = statistics.median(floor_ms for floor_ms, _ in cpu["ours"])
            # compared unrounded: the target is a share of the floor, not that share rounded to a millisecond
            target = floor_cpu * (HOOK_TARGET if function.logical_id in HOOKS else TARGET)
            met.append(over["ours"] <= target)
            counted = json.loads(_run(dev, None, "calls", function.module, new_call(), new_call("warm.json"))[2])
            rows.append(
                f"| {function.logical_id} | {over['sam']:+.0f} | **{over['ours']:+.0f}** | {over['dev']:+.0f} "
                f"| {'✓' if over['ours'] <= target else '✗'} +{target:.0f} | {_over(wall['ours']):+.0f} "
                f"| {status or ''} | {len(counted['cold'])}: {', '.join(counted['cold']) or '-'} "
                f"| {len(counted['warm'])}: {', '.join(counted['warm']) or '-'} |"
            )
            if function.logical_id in HOOKS:
                whole = statistics.median(ms for _, ms in cpu["ours"])
                memory_rows.append(
                    f"| {function.logical_id} | {whole:.0f} | "
                    + " | ".join(f"≈ {whole * ONE_VCPU_MB / mb:.0f} ms" for mb in (512, 1024))
                    + " |"
                )
                hook = HOOK_NAMES[function.logical_id]
                quoted[f"cold_{hook}"] = f"{over['ours']:+.0f}"
                for mb in (512, 1024):
                    quoted[f"cold_{hook}_{mb}_ms"] = f"{whole * ONE_VCPU_MB / mb:.0f}"
            own = _imports(py313, runs["ours"][1] or [], next_call)
            beyond = sorted(((ms, name) for name, ms in own.items() if name not in floor_modules), reverse=True)
            top_rows.append(f"| {function.logical_id} | {', '.join(f'{name} {ms:.1f}' for ms, name in beyond[:TOP])} |")
    floor_text = {
        name: f"{statistics.median(c for _, c in runs_):.0f} ms CPU ({statistics.median(w for w, _ in runs_):.0f} wall)"
        for name, runs_ in floors.items()
    }
    others = [over["ours"] for name, over in overs.items() if name not in HOOKS]
    saved = [over["sam"] - over["ours"] for over in overs.values()]
    quoted["cold_targets_met"] = (
        f"all {len(met)} functions meet theirs" if all(met) else f"{sum(met)} of {len(met)} functions meet theirs"
    )
    if others:  # BENCH_FUNCTIONS may name only the hooks
        quoted["cold_others"] = f"{min(others):+.0f} to {max(others):+.0f}"
    quoted["cold_bytecode_saves"] = (
        f"{min(saved):.0f} to {max(saved):.0f} ms of CPU time (median {statistics.median(saved):.0f})"
    )
    text = "\n".join(
        [
            f"CPU milliseconds (user + sys) of a cold start over the floor, median of {RUNS} paired runs each. "
            f"The floor, a fresh process importing boto3 and creating a DynamoDB client: {floor_text['313']} with "
            f"python3.13 and the runtime's boto3, {floor_text['dev']} in the dev venv (Python "
            f"{sys.version.split()[0]}). CPU time rather than wall time, because this machine's 2 cores are shared "
            "with other work: wall time over the floor (last numeric column, ours) measures the neighbours as much "
            "as the cold start; on Lambda, where the init phase has its CPU share to itself, CPU time is the cost "
            "(see the memory size below for what the share does to it).",
            "",
            *rows,
            "",
            "SAM default and ours: the artifact as built by the Makefiles `sam build` runs (this machine's "
            "architecture: Lambda's arm64 wheels cannot run here), every file dated 1980-01-01 as in SAM's zip, "
            "python3.13, nothing writable. SAM's default build method ships the same sources without any .pyc, so "
            "every cold start compiles them. Status and the import times below are ours. Each run of a sample event "
            "with a call_id (CreateActivity, the webhook) has a call_id of its own: a new call, as when a phone rings, "
            "not a retry.",
            "",
            "Memory size: Lambda gives a function CPU in proportion to its memory (1,769 MB is one vCPU), so a "
            "cold start, which is CPU-bound apart from its two or three DynamoDB round trips, takes about its CPU "
            "time divided by that share: at 512 MB (29% of a vCPU) about 3.5 times its CPU time, at 1024 MB (58%) "
            "half that. Estimated from the CPU time measured here (ours, floor included), not measured on Lambda:",
            "",
            *memory_rows,
            "",
            f"Where the rest goes: `python3.13 -X importtime` of a cold start from our artifact (import and first "
            f"request; each module's least wall time in {IMPORT_RUNS} runs), the {TOP} modules with the largest "
            "own import time that the floor does not load.",
            "",
            *top_rows,
        ]
    )
    return Measured(text, quoted)
