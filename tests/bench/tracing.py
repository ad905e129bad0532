"""What the Tracing parameter adds to a cold start: FindContact with tracing off and on, paired.

With tracing on, the function imports the Powertools Tracer, which loads aws_xray_sdk, creates
its recorder (with an X-Ray client for sampling rules) and patches botocore and requests. The
child runs as in Lambda (LAMBDA_TASK_ROOT and a trace header set), so the Tracer really starts;
segments go to the absent X-Ray daemon over UDP and are lost, which costs nothing measurable.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ringbridge_tools.local import demo, events, template
from tests.bench import Measured
from tests.bench.cold_start import CHILD, RUNS

TITLE = "Cold start with Tracing on"
FUNCTION = "RingotelFindContactFunction"
LAMBDA_LIKE = {
    "LAMBDA_TASK_ROOT": str(template.ROOT / "functions"),
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def _cold_ms(module: str, event: Path, tracing: str) -> float:
    env = {**os.environ, **LAMBDA_LIKE, "TRACING": tracing}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(CHILD), "time", module, str(event)], capture_output=True, check=True, env=env)
    return (time.perf_counter() - started) * 1000


QUOTED = ("tracing_off_ms", "tracing_added_ms")


def measure() -> Measured:
    function = template.functions()[FUNCTION]
    values = events.placeholders(demo.seed_account("Bench tracing", "UA"))
    source = events.EVENTS_DIR / "ringotel" / f"{FUNCTION}.json"
    with tempfile.TemporaryDirectory() as scratch:
        event = Path(scratch, source.name)
        event.write_text(json.dumps(events.load(source, values)))
        _cold_ms(function.module, event, "on")  # compiles the X-Ray SDK's bytecode once
        pairs = [(_cold_ms(function.module, event, "off"), _cold_ms(function.module, event, "on")) for _ in range(RUNS)]
    off = statistics.median(a for a, _ in pairs)
    on = statistics.median(b for _, b in pairs)
    added = statistics.median(b - a for a, b in pairs)
    text = "\n".join(
        [
            "| FindContact cold start | ms |",
            "|---|---:|",
            f"| Tracing off | {off:.0f} |",
            f"| Tracing on | {on:.0f} |",
            f"| added by tracing (median of paired differences) | {added:+.0f} |",
            "",
            f"Medians of {RUNS} pairs of fresh processes. Warm requests pay only the patched calls' bookkeeping.",
        ]
    )
    return Measured(text, {"tracing_off_ms": f"{off:.0f}", "tracing_added_ms": f"{added:+.0f}"})
