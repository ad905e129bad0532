"""``make fuzz``: schemathesis over the local stack's merged ``/openapi.json``; any failure fails the run.

Starts ``ringbridge serve`` on free ports with a throwaway state dir, then runs every check
(``--checks all``) and every phase (examples, coverage, fuzzing, stateful) twice: with the first
demo account's read-write token, then its read-only one. Each run has a time budget
(``FUZZ_SECONDS``, default 150 and a third of it for the read-only run), so the whole target stays
under 5 minutes. Generic: it fuzzes whatever operations the document holds, so new routes are
fuzzed as soon as they are in it. Settings: tests/schemathesis.toml.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tests" / "schemathesis.toml"
START_TIMEOUT_SECONDS = 120


def start_stack(state_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    environment = {name: value for name, value in os.environ.items() if name != "AWS_ENDPOINT_URL"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ringbridge_tools.cli", "serve", "--port", "0", "--state-dir", str(state_dir)],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not (state_dir / "stack.json").exists():  # written once the demo data is ready
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"ringbridge serve did not start:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)
    return process


def schemathesis(base_url: str, user: str, seconds: int, workdir: str) -> int:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-time",
        str(seconds),
        # One worker: Hypothesis's internal caches are not thread-safe (two workers crashed in them).
        "--workers",
        "1",
        "--request-timeout",
        "30",
    ]
    # The auth document and user reach tests/schemathesis.toml's [auth.wfc] through the environment.
    environment = {**os.environ, "RINGBRIDGE_FUZZ_AUTH": str(Path(workdir) / "auth.json"), "RINGBRIDGE_FUZZ_USER": user}
    # Run from the throwaway directory: schemathesis keeps a cache in its working directory.
    return subprocess.run(command, cwd=workdir, env=environment, check=False).returncode


def write_auth(path: Path, accounts: list[dict[str, str]]) -> None:
    """A Web Fuzzing Commons auth document: the two demo accounts' rw tokens (peers) and UA's ro token."""
    users = {"ua": accounts[0]["rw_token"], "us": accounts[1]["rw_token"], "ua-ro": accounts[0]["ro_token"]}
    entries = [
        {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
        for name, token in users.items()
    ]
    path.write_text(json.dumps({"auth": entries}))


def main() -> int:
    seconds = int(os.environ.get("FUZZ_SECONDS", "150"))
    with tempfile.TemporaryDirectory(prefix="ringbridge-fuzz-") as workdir:
        state_dir = Path(workdir) / "state"
        log = Path(workdir) / "serve.log"
        stack = start_stack(state_dir, log)
        try:
            base_url = json.loads((state_dir / "stack.json").read_text())["base_url"]
            write_auth(Path(workdir) / "auth.json", json.loads((state_dir / "demo.json").read_text())["accounts"])
            runs = (("ua", seconds), ("ua-ro", seconds // 3))
            failed = [user for user, budget in runs if schemathesis(base_url, user, budget, workdir) != 0]
        finally:
            stack.send_signal(signal.SIGINT)
            stack.wait(timeout=30)
        if failed:
            print(f"fuzz: failures with the {' and '.join(failed)} token; the stack's log ends:", file=sys.stderr)
            print(log.read_text()[-3000:], file=sys.stderr)
            return 1
    print("fuzz: no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
