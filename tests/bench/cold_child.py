"""A fresh Lambda-like process, run by cold_start.py: import one function module, serve one event.

Usage: cold_child.py floor | time MODULE EVENT | calls MODULE EVENT WARM_EVENT
Deliberately imports nothing of the local tooling (YAML, moto): only what the function would.
BENCH_SYS_PATH (os.pathsep-separated) replaces the source tree on sys.path: the artifact's function
directory, its layer and the runtime's boto3, as Lambda puts them (tests/bench/artifact.py).
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    log_group_name = log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def main() -> None:
    mode = sys.argv[1]
    paths = os.environ.get("BENCH_SYS_PATH")
    sys.path[:0] = paths.split(os.pathsep) if paths else [str(ROOT / "functions"), str(ROOT / "layers")]
    if mode == "floor":
        import boto3

        boto3.client("dynamodb")
        return
    module_name, event = sys.argv[2], json.loads(Path(sys.argv[3]).read_text())
    started = time.perf_counter()
    module = __import__(module_name, fromlist=["lambda_handler"])
    imported = time.perf_counter()
    if mode == "time":
        response = module.lambda_handler(event, Context())
        served = time.perf_counter()
        print(
            json.dumps(
                {
                    "import_ms": (imported - started) * 1000,
                    "request_ms": (served - imported) * 1000,
                    "status": (response or {}).get("statusCode"),
                }
            )
        )
        return
    from ringbridge_tools.local import dynamodb_calls  # counting only: after the cold timing, in its own process

    log = dynamodb_calls.start()
    module.lambda_handler(event, Context())
    cold = list(log)
    log.clear()
    module.lambda_handler(json.loads(Path(sys.argv[4]).read_text()), Context())
    print(json.dumps({"cold": cold, "warm": list(log)}))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    # A Lambda instance is never torn down per request: skip interpreter shutdown, which takes
    # longer the more modules are loaded and is no part of a cold start.
    os._exit(0)
