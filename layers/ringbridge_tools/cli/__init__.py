"""The ``ringbridge`` command: the local stack, invoking functions, the OpenAPI document, admin.

Functions never import this package. Each command is an ``add_<command>`` function that declares
its arguments and a ``run_<command>`` function that does the work, in the module of its job:
local_stack, fakes, vendors, and admin's accounts and data_lifecycle. Heavy and dev-only modules
are imported inside the ``run_`` functions. To add a command, write the pair and add one line to
``COMMANDS`` here (or ``admin.ADMIN_COMMANDS`` for ``ringbridge admin <command>``, ``fakes.FAKE_COMMANDS``
for ``ringbridge fake <vendor>``).
"""

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import Any

from ringbridge_tools.cli import admin, fakes, local_stack, vendors
from ringbridge_tools.cli.common import CommandError

COMMANDS: list[Callable[[Any], None]] = [
    local_stack.add_serve,
    local_stack.add_invoke,
    local_stack.add_openapi,
    vendors.add_ringotel_document,
    admin.add_admin,
    fakes.add_fake,
]


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import version

    parser = argparse.ArgumentParser(
        prog="ringbridge",
        description="ringbridge: the local stack, invoking functions, the OpenAPI document, admin.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('ringbridge')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ringbridge_tools.local import netguard

    netguard.install_if_asked()  # started by a test: no connection may leave the machine
    parser = build_parser()
    args = parser.parse_args(argv)
    from botocore.exceptions import BotoCoreError, ClientError

    from ringbridge.errors import RingbridgeError

    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (| head): exit without a traceback, and keep Python's flush at exit
        # from failing again on the closed stdout (as the Python docs on SIGPIPE advise).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except RingbridgeError as error:
        field = f" ({argument_name(parser, args, error.field)})" if error.field else ""
        print(f"error: {in_user_words(error.message)}{field}", file=sys.stderr)
    except (CommandError, BotoCoreError, ClientError) as error:
        print(f"error: {error}", file=sys.stderr)
    return 1


# The CLI's arguments by the name the logic gives the value, where the two differ.
ARGUMENT_OF_FIELD = {"token_id": "key_id", "allowed_countries": "allow_countries", "allowed_types": "allow_types"}


def argument_name(parser: argparse.ArgumentParser | None, args: argparse.Namespace, field: str) -> str:
    """``field`` as the user typed its argument: --rate-limit for an option, KEY_ID for a positional."""
    dest = ARGUMENT_OF_FIELD.get(field, field)
    while parser is not None:
        subcommands = None
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                subcommands = action
            elif action.dest == dest:
                return action.option_strings[0] if action.option_strings else dest.upper()
        parser = subcommands.choices.get(getattr(args, subcommands.dest)) if subcommands else None
    return field  # not an argument (e.g. a field of a JSON value): its own name


def in_user_words(message: str) -> str:
    """pydantic's phrasing ("Value error, ...", "Input should be ...") as the CLI's own messages say it."""
    message = message.removeprefix("Value error, ")
    return re.sub(r"^(Input|String|List|Value|Number|Decimal|URL|Dictionary) should\b", "must", message)
