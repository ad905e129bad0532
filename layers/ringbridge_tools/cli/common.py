"""What the commands share: the state dir option, arguments read from stdin, JSON output, the one-line error."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

DEFAULT_STATE_DIR = ".local"


class CommandError(Exception):
    """A problem to tell the user in one line (exit status 1)."""


def print_json(value: Any, file: TextIO | None = None) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str), file=file)


def connect_local(state_dir: Path) -> dict[str, Any]:
    """Point boto3 and the functions' environment at the running local stack (see ringbridge_tools.local.state)."""
    from ringbridge_tools.local import state

    try:
        return state.connect(state_dir)
    except state.NotRunning as error:
        raise CommandError(str(error)) from None


def add_state_dir(parser: argparse.ArgumentParser, default: Any = Path(DEFAULT_STATE_DIR)) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=default,
        help=f"the local stack's state dir (default: {DEFAULT_STATE_DIR})",
    )


def read_stdin_arguments(args: argparse.Namespace, *dests: str) -> None:
    """Each of these arguments given as '-' becomes the next line of stdin, in the order named here."""
    dashes = [dest for dest in dests if getattr(args, dest) == "-"]
    for dest in dashes:
        line = sys.stdin.readline()
        if not line:
            order = ", then ".join(_option(dest) for dest in dashes)
            raise CommandError(f"{_option(dest)} -: stdin ended before its line (one line each: {order})")
        setattr(args, dest, line.rstrip("\r\n"))


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value
