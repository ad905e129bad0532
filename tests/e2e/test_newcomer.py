"""A newcomer's first hour: the README's quickstart run as written, `ringbridge invoke | jq`, the logs'
service name, and demo.json's secrets kept from other users."""

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ringbridge_tools.local import template
from tests.support.local_server import START_TIMEOUT_SECONDS, STOP_TIMEOUT_SECONDS, LocalServer, cli_environment
from tests.support.network import free_port, port_is_open

ROOT = template.ROOT
VENV = Path(sys.executable).parent.parent


def quickstart_blocks() -> list[str]:
    """The shell blocks of the README's Quickstart section, in order."""
    text = (ROOT / "README.md").read_text()
    quickstart = text.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", quickstart, re.S)


@pytest.fixture
def served_as_in_the_quickstart(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """The quickstart's first block, `make serve`, run in an empty directory with a PORT of its own."""
    [command] = [line.split("#")[0].strip() for line in quickstart_blocks()[0].strip().splitlines()]
    assert command == "make serve"
    port = free_port()
    # This venv, already installed (-o: its stamp is not remade); the state dir is the cwd's .local, as for a user.
    process = subprocess.Popen(
        [
            *command.split(),
            "-f",
            str(ROOT / "Makefile"),
            "-o",
            f"{VENV}/.installed-local",
            f"VENV={VENV}",
            f"PORT={port}",
        ],
        cwd=tmp_path,
        env=cli_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not (tmp_path / ".local" / "stack.json").exists():
        assert process.poll() is None and time.monotonic() < deadline, process.stdout.read().decode()  # type: ignore[union-attr]
        time.sleep(0.1)
    try:
        yield tmp_path, port
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal: make and ringbridge serve
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
        assert not port_is_open(port)


def answers(output: str) -> list[dict]:
    """The JSON answers curl printed one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(output):
        answer, at = decoder.raw_decode(output, at)
        found.append(answer)
        while at < len(output) and output[at].isspace():
            at += 1
    return found


def test_the_quickstart_runs_as_written_and_logs_a_call_with_its_recording(served_as_in_the_quickstart) -> None:
    directory, port = served_as_in_the_quickstart
    script = quickstart_blocks()[1]

    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=directory, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    demo = json.loads((directory / ".local" / "demo.json").read_text())
    assert demo["base_url"] == f"http://127.0.0.1:{port}"  # not the README's 3000
    found, activity, stopped, stored, link = answers(done.stdout)
    ivan = demo["accounts"][0]["contact_id"]
    assert found["contacts"][0]["id"] == ivan
    assert activity["contact_id"] == ivan  # the call is logged against the caller
    assert stopped["status"] == "completed"
    assert stored["recording"]["size_bytes"] == (directory / "call.wav").stat().st_size
    assert requests.get(link["url"], timeout=30).content == (directory / "call.wav").read_bytes()  # it plays


def test_invoke_prints_the_answer_alone_on_stdout_and_the_logs_on_stderr(local_server: LocalServer) -> None:
    event = (ROOT / "events/ringotel/RingotelCreateContactFunction.json").read_text()
    refused = event.replace("{{rw_token}}", "{{ro_token}}")  # a read-only token writing: 403 and a log line
    state = str(local_server.state_dir)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ringbridge_tools.cli",
            "invoke",
            "RingotelCreateContactFunction",
            "-",
            "--state-dir",
            state,
        ],
        input=refused,
        cwd=ROOT,
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["statusCode"] == 403  # stdout is the answer alone: `| jq` reads it
    [log] = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert log["message"] == "request refused"
    assert log["service"] == "ringbridge"


def test_serve_logs_name_the_service_ringbridge(local_server: LocalServer) -> None:
    ro_token = local_server.accounts[0]["ro_token"]

    answer = local_server.request("POST", "/ringotel/contacts", ro_token, json={"first_name": "Refused"})

    assert answer.status_code == 403
    deadline = time.monotonic() + 10
    while '"message":"request refused"' not in local_server.log_tail() and time.monotonic() < deadline:
        time.sleep(0.1)
    logs = [json.loads(line) for line in local_server.log_tail().splitlines() if line.startswith('{"level"')]
    assert logs
    assert {log["service"] for log in logs} == {"ringbridge"}  # not Powertools' "service_undefined"


def test_demo_json_is_readable_by_its_owner_only(local_server: LocalServer) -> None:
    demo = local_server.state_dir / "demo.json"

    assert stat.S_IMODE(demo.stat().st_mode) == 0o600  # rw tokens and OAuth client secrets
    assert "rw_token" in demo.read_text()
