"""A real ``ringbridge serve`` for end-to-end tests: a subprocess on free ports with its own state dir,
and the ``ringbridge`` command as a person runs it.

``LocalServer.request`` is the one way tests call the server over HTTP: it fails a test whose request
issued a DynamoDB Scan (the server names each request's operations in X-Ringbridge-DynamoDB-Calls).
"""

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from ringbridge_tools.local import template
from tests.support.network import port_is_open

CALLS_HEADER = "X-Ringbridge-DynamoDB-Calls"
START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 30
WAIT_SECONDS = 60  # a failure bound for a loaded machine; the bench measures the real latency


def cli_environment() -> dict[str, str]:
    """This test process's environment without the test emulator: the server starts its own moto."""
    environment = {name: value for name, value in os.environ.items() if name != "AWS_ENDPOINT_URL"}
    environment["PYTHONUNBUFFERED"] = "1"
    # No vendor URL unless a test exports one: with no fake registered the local stack refuses to call
    # a vendor (ringbridge_tools.local.vendors), and the tests' network guard (RINGBRIDGE_LOOPBACK_ONLY) holds.
    return environment


def ringbridge(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``ringbridge`` command (as ``python -m ringbridge_tools.cli``) from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "ringbridge_tools.cli", *args],
        cwd=template.ROOT,
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextlib.contextmanager
def running_fake(vendor: str, *options: str) -> Iterator[subprocess.Popen[str]]:
    """`ringbridge fake <vendor> <options>` as a person runs it; with --state-dir, once it has registered
    there (and it must unregister when stopped). Stopped with Ctrl-C at the end of the block."""
    state_dir = Path(options[options.index("--state-dir") + 1]) if "--state-dir" in options else None
    process = subprocess.Popen(
        [sys.executable, "-m", "ringbridge_tools.cli", "fake", vendor, *options],
        cwd=template.ROOT,
        env=cli_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    registration = state_dir / f"fake-{vendor}.json" if state_dir else None
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while registration and not registration.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert registration is None or registration.exists(), f"`ringbridge fake {vendor}` did not register"
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=30)
    assert status == 0, process.stderr.read() if process.stderr else ""
    assert registration is None or not registration.exists()


def printed_until(process: subprocess.Popen[str], wanted: str) -> list[str]:
    """The lines a process prints, until one holds ``wanted`` (or WAIT_SECONDS pass)."""
    output = process.stdout
    assert output is not None
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in output:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    printed: list[str] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while not any(wanted in line for line in printed) and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            printed.append(lines.get(timeout=0.5))
    return printed


@dataclass
class LocalServer:
    process: subprocess.Popen[bytes]
    state_dir: Path
    log: Path
    base_url: str = ""
    emulator_port: int = 0
    accounts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80

    def request(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        """One HTTP request; ``token`` as a Bearer token. Fails the test if it caused a Scan."""
        all_headers = {"Authorization": f"Bearer {token}"} if token else {}
        all_headers.update(headers or {})
        response = requests.request(
            method,
            self.base_url + path,
            headers=all_headers,
            json=json,
            params=params,
            data=data,
            auth=auth,
            timeout=60,
        )
        operations = (response.headers.get(CALLS_HEADER) or "").split(",")
        assert "Scan" not in operations, f"{method} {path} issued a DynamoDB Scan: {operations}"
        return response

    def stop(self) -> int:
        """Ctrl-C, as a developer would; answers the exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def log_tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


def start_server(state_dir: Path) -> LocalServer:
    """``ringbridge serve`` on free ports; answers once it serves requests."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "stack.json").unlink(missing_ok=True)
    log = state_dir.with_name(state_dir.name + ".log")
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ringbridge_tools.cli", "serve", "--port", "0", "--state-dir", str(state_dir)],
            cwd=template.ROOT,
            env=cli_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = LocalServer(process, state_dir, log)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    # stack.json is written once the data is ready, just before requests are served.
    while not (state_dir / "stack.json").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"ringbridge serve did not start:\n{server.log_tail()}")
        time.sleep(0.1)
    description = json.loads((state_dir / "stack.json").read_text())
    server.base_url = description["base_url"]
    server.emulator_port = urlsplit(description["endpoint"]).port or 80
    server.accounts = json.loads((state_dir / "demo.json").read_text())["accounts"]
    assert requests.get(server.base_url + "/", timeout=30).status_code == 404  # it answers
    return server


def stop_server(server: LocalServer) -> None:
    """Stop with SIGINT and check nothing is left: the process exited 0 and its ports are closed."""
    status = server.stop()
    assert status == 0, f"ringbridge serve exited with {status}:\n{server.log_tail()}"
    assert not port_is_open(server.port)
    assert not port_is_open(server.emulator_port)
