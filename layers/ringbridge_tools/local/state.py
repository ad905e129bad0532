"""The state dir of a local stack: stack.json (how to reach it) and demo.json (demo accounts).

``ringbridge serve`` writes stack.json when it is ready and removes it when it stops; the other
commands (invoke, admin --local) read it to talk to the same emulator and tables.
"""

import json
import os
import socket
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from ringbridge_tools.local import stack, template


class NotRunning(Exception):
    """No local stack answers for this state dir."""


class InUse(Exception):
    """Another ``ringbridge serve`` runs on this state dir."""


def lock_state_dir(state_dir: Path) -> IO[str]:
    """An exclusive lock on ``state_dir`` for as long as the returned file stays open (the OS drops it at exit).

    Two servers on one state dir would overwrite each other's stack.json, demo.json and snapshots.
    """
    import fcntl

    lock = (state_dir / "serve.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "?"
        lock.close()
        raise InUse(
            f"another `ringbridge serve` (pid {holder}) is running on {state_dir}/; "
            "stop it first, or give this one its own --state-dir"
        ) from None
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock


def write_stack(state_dir: Path, base_url: str, endpoint: str, external: bool) -> None:
    tables = {logical_id: template.local_name(logical_id) for logical_id in template.resources("AWS::DynamoDB::Table")}
    buckets = {logical_id: template.local_name(logical_id) for logical_id in template.resources("AWS::S3::Bucket")}
    description = {
        "base_url": base_url,
        "endpoint": endpoint,
        "external_endpoint": external,
        "region": os.environ["AWS_DEFAULT_REGION"],
        "tables": tables,
        "buckets": buckets,
        "environment": stack.function_environment(),
        "pid": os.getpid(),
    }
    _write_atomically(state_dir / "stack.json", json.dumps(description, indent=2) + "\n")


def remove_stack(state_dir: Path) -> None:
    (state_dir / "stack.json").unlink(missing_ok=True)


def connect(state_dir: Path) -> dict[str, Any]:
    """Point this process's boto3 clients and the functions' environment at the running local stack."""
    path = state_dir / "stack.json"
    hint = f"no local stack is running for {state_dir}/: start one with `make serve` (or `ringbridge serve`)"
    if not path.exists():
        raise NotRunning(hint)
    description = json.loads(path.read_text())
    if not _answers(description["endpoint"]):
        raise NotRunning(f"{hint}; the emulator at {description['endpoint']} does not answer")
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = description["region"]
    stack.use_endpoint(description["endpoint"])
    os.environ.update(description["environment"])
    from ringbridge_tools.local import vendors  # which imports this module

    vendors.use(state_dir)
    return description


def register_fake(state_dir: Path, vendor: str, base_url: str) -> None:
    """A fake vendor API now runs at ``base_url``: commands connecting to this stack will use it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(state_dir / f"fake-{vendor}.json", json.dumps({"base_url": base_url}) + "\n")


def _write_atomically(path: Path, text: str) -> None:
    """Readers poll for these files: they see no file or the whole of it, never a half-written one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)


def unregister_fake(state_dir: Path, vendor: str) -> None:
    (state_dir / f"fake-{vendor}.json").unlink(missing_ok=True)


def registered_fakes(state_dir: Path) -> dict[str, str]:
    """vendor -> the base URL of its running `ringbridge fake <vendor>`."""
    return {
        path.stem.removeprefix("fake-"): json.loads(path.read_text())["base_url"]
        for path in sorted(state_dir.glob("fake-*.json"))
    }


def demo_accounts(state_dir: Path) -> list[dict[str, Any]]:
    return json.loads((state_dir / "demo.json").read_text())["accounts"]


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=2):
            return True
    except OSError:
        return False
