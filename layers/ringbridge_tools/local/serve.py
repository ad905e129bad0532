"""``ringbridge serve``: the emulator, the tables and bucket, demo data and the local HTTP API.

Unless AWS_ENDPOINT_URL names an emulator already (DynamoDB Local, LocalStack), moto runs in
this process and its data is snapshotted into the state dir: every few seconds after a write,
and on shutdown. SIGINT (Ctrl-C) or SIGTERM stops everything and exits 0.
"""

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ringbridge_tools.local import demo, snapshot, stack, state, streams, vendors

SNAPSHOT_EVERY_SECONDS = 2.0


def serve(port: int, state_dir: Path, emulator_port: int = 0) -> int:
    from werkzeug.serving import make_server

    from ringbridge_tools.local.server import LocalApi

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = state.lock_state_dir(state_dir)  # held (open) until this process exits
    # Listen first, so a port in use fails at once (werkzeug says so and exits 1).
    http_server = make_server("127.0.0.1", port, LocalApi(), threaded=True)
    base_url = f"http://127.0.0.1:{http_server.server_port}"
    external = os.environ.get("AWS_ENDPOINT_URL")
    dirty = threading.Event()
    emulator = None if external else stack.start_emulator(emulator_port, on_write=dirty.set)
    endpoint = emulator.endpoint if emulator is not None else str(external)
    snapshotter = None
    try:
        stack.use_endpoint(endpoint)
        os.environ.update(stack.function_environment())
        vendors.use(state_dir)
        stack.create_resources()
        restored = emulator is not None and snapshot.restore(state_dir)
        accounts = demo.ensure(state_dir, base_url)
        if emulator is not None:
            snapshot.save(state_dir)  # the demo data and demo.json's tokens persist from the start
            dirty.clear()
            snapshotter = threading.Thread(target=_snapshot_while_running, args=(state_dir, dirty, stop), daemon=True)
            snapshotter.start()
        state.write_stack(state_dir, base_url, endpoint, external=emulator is None)
        server_thread = threading.Thread(target=http_server.serve_forever, args=(0.1,), name="http", daemon=True)
        server_thread.start()
        pollers = streams.start(stop)  # the table's stream -> the functions it triggers, as in Lambda
        _print_welcome(base_url, endpoint, state_dir, accounts, restored, emulator is None)
        while not stop.wait(0.5):
            pass
        print("stopping...", file=sys.stderr, flush=True)
        http_server.shutdown()
        server_thread.join()
        for poller in pollers:
            poller.join()
    finally:
        http_server.server_close()
        state.remove_stack(state_dir)
        lock.close()
        if emulator is not None:
            stop.set()
            if snapshotter is not None:
                snapshotter.join()
                snapshot.save(state_dir)
            emulator.stop()
    print(f"stopped; {'the emulator keeps the data' if external else f'data kept in {state_dir}/'}", file=sys.stderr)
    return 0


def _snapshot_while_running(state_dir: Path, dirty: threading.Event, stop: threading.Event) -> None:
    while not stop.wait(SNAPSHOT_EVERY_SECONDS):
        if dirty.is_set():
            dirty.clear()  # before copying: a write during the copy marks the next round
            try:
                snapshot.save(state_dir)
            except Exception as error:  # a failed snapshot must not stop the server; the next one retries
                dirty.set()
                print(f"snapshot failed: {error}", file=sys.stderr, flush=True)


def _print_welcome(
    base_url: str, endpoint: str, state_dir: Path, accounts: list[dict[str, Any]], restored: bool, external: bool
) -> None:
    data = "restored from the state dir" if restored else "new"
    emulator = f"external emulator {endpoint}" if external else f"moto on {endpoint} ({data} data)"
    demo_json = state_dir / "demo.json"
    read_token = f"import json; print(json.load(open('{demo_json}'))['accounts'][0]['ro_token'])"
    find_url = f"{base_url}/ringotel/contacts/find?phone={quote(accounts[0]['phone'])}"
    print(
        f"""
ringbridge is running on {base_url}  ({emulator})
  demo accounts and their tokens: {demo_json}
  API docs: {base_url}/swagger  ({base_url}/openapi.json)
  try:
    TOKEN=$(python3 -c "{read_token}")
    curl -H "Authorization: Bearer $TOKEN" {base_url}/ringotel/users
    curl -H "Authorization: Bearer $TOKEN" "{find_url}"
  Ctrl-C stops it; the data stays in {state_dir}/
""",
        file=sys.stderr,
        flush=True,
    )
