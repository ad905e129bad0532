"""``ringbridge fake <vendor>``: a fake vendor on 127.0.0.1 (ringbridge_tools.fakes) that the local stack then calls."""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ringbridge_tools.cli.common import CommandError, add_state_dir


def add_fake(commands: Any) -> None:
    parser = commands.add_parser("fake", help="run a fake vendor server on 127.0.0.1 (Ctrl-C stops it)")
    fakes = parser.add_subparsers(dest="fake", required=True, metavar="<vendor>")
    for add in FAKE_COMMANDS:
        add(fakes)


def add_fake_ringostat(commands: Any) -> None:
    parser = commands.add_parser("ringostat", help="Ringostat's sync API; prints each batch it receives")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="ID=KEY",
        help="a project and its auth key (repeatable); without any, every project is accepted with its first key",
    )
    add_state_dir(parser)
    parser.set_defaults(run=run_fake_ringostat)


def run_fake_ringostat(args: argparse.Namespace) -> int:
    from ringbridge_tools.fakes.ringostat import PATHS, FakeRingostat, Received

    projects: dict[int, str] = {}
    for entry in args.project:
        project_id, _, key = entry.partition("=")
        if not project_id.isdigit() or not key:
            raise CommandError(f"--project must be ID=KEY, not {entry!r}")
        projects[int(project_id)] = key

    def show(received: Received) -> None:
        kind = PATHS.get(received.path)
        items = received.body.get(kind) if kind and isinstance(received.body, dict) else None
        count = f"{len(items)} {kind}" if isinstance(items, list) else "no batch"
        project = received.headers.get("x-project-id", "?")
        print(f"POST {received.path} project {project}: {count} -> {received.status}", flush=True)
        for item in items or []:
            print("  " + json.dumps(item, ensure_ascii=False, separators=(",", ":")), flush=True)

    fake = FakeRingostat(projects=projects, any_key=not projects, on_receive=show)
    try:
        fake.start(args.port)
    except OSError as error:
        raise CommandError(f"cannot listen on 127.0.0.1:{args.port}: {error}") from None
    banner = (
        f"fake Ringostat on {fake.base_url}: `ringbridge serve`, `invoke` and `admin --local` "
        f"(state dir {args.state_dir}/) now send Ringostat requests here"
    )
    serve_registered(args.state_dir, "ringostat", fake, banner)
    return 0


def add_fake_ringcloud(commands: Any) -> None:
    parser = commands.add_parser("ringcloud", help="a fake RingCloud, seeded with calls and short recordings")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    add_state_dir(parser)
    parser.set_defaults(run=run_fake_ringcloud)


def run_fake_ringcloud(args: argparse.Namespace) -> int:
    from ringbridge_tools.fakes import ringcloud

    fake = ringcloud.seeded().start(args.port)
    demo = args.state_dir / "demo.json"
    account = f"python3 -c \"import json; print(json.load(open('{demo}'))['accounts'][0]['account_id'])\""
    keys = f"--api-key {ringcloud.DEMO_KEY} --password {ringcloud.DEMO_PASSWORD}"
    rw_keys = f"--rw-api-key {ringcloud.DEMO_RW_KEY} --rw-password {ringcloud.DEMO_RW_PASSWORD}"
    banner = f"""fake RingCloud on {fake.base_url}  ({len(fake.calls)} calls, {len(fake.files)} recordings)
  `ringbridge serve`, `invoke` and `admin --local` (state dir {args.state_dir}/) now send RingCloud requests here.
  configure the first demo account, import, look:
    ACCOUNT=$({account})
    ringbridge admin --local ringcloud-config $ACCOUNT {keys} {rw_keys}
    ringbridge invoke RingcloudImportFunction events/ringcloud/import.json
    ringbridge admin --local ringcloud-status $ACCOUNT
  Ctrl-C stops it."""
    serve_registered(args.state_dir, "ringcloud", fake, banner)
    print(
        f"stopped; it answered {len(fake.requests)} requests, {fake.violations} over RingCloud's limits",
        file=sys.stderr,
    )
    return 0


def serve_registered(state_dir: Path, vendor: str, fake: Any, banner: str) -> None:
    """Register the started fake in the state dir, where the local stack looks for it before each
    invocation; print the banner; serve until Ctrl-C (or SIGTERM); then unregister and stop it."""
    import signal
    import threading

    from ringbridge_tools.local import state

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    state.register_fake(state_dir, vendor, fake.base_url)
    print(banner, file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        state.unregister_fake(state_dir, vendor)
        fake.stop()


FAKE_COMMANDS: list[Callable[[Any], None]] = [add_fake_ringostat, add_fake_ringcloud]
