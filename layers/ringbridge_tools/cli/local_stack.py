"""``ringbridge serve``, ``invoke`` and ``openapi``: the local stack (ringbridge_tools.local) and what it runs."""

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from ringbridge_tools.cli.common import CommandError, add_state_dir, connect_local, print_json


def add_serve(commands: Any) -> None:
    parser = commands.add_parser("serve", help="run the local stack: HTTP API, emulator, demo data")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "3000")), help="HTTP port (default: $PORT or 3000)"
    )
    parser.add_argument("--emulator-port", type=int, default=0, help="moto's port (default: a free one)")
    add_state_dir(parser)
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from ringbridge_tools.local import stack, state

    # The functions' environment before any of their code is imported (the demo data imports it):
    # Powertools reads POWERTOOLS_SERVICE_NAME once, so logs would otherwise say "service_undefined".
    os.environ.update(stack.function_environment())
    from ringbridge_tools.local.serve import serve

    try:
        return serve(args.port, args.state_dir, args.emulator_port)
    except state.InUse as error:
        raise CommandError(str(error)) from None


def add_invoke(commands: Any) -> None:
    parser = commands.add_parser("invoke", help="invoke one function with an event file, against the local stack")
    parser.add_argument("logical_id", help="the function's logical id in template.yaml")
    parser.add_argument(
        "event", help="an event file, or - to read the event from stdin; {{placeholders}} come from demo.json"
    )
    add_state_dir(parser)
    parser.set_defaults(run=run_invoke)


def run_invoke(args: argparse.Namespace) -> int:
    """Only the answer goes to stdout (so `| jq` works); the function's logs and prints go to stderr."""
    answer = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # Powertools' logger takes sys.stdout when first imported
        response, status = _invoke(args)
    print_json(response, file=answer)
    return status


def _invoke(args: argparse.Namespace) -> tuple[Any, int]:
    """The function's answer (its body parsed when it is JSON) and the exit status."""
    from ringbridge_tools.local import events, lambdas, state, template

    functions = template.functions()
    if args.logical_id not in functions:
        raise CommandError(f"no function {args.logical_id} in template.yaml; there are: {', '.join(sorted(functions))}")
    source = "stdin" if args.event == "-" else args.event
    if source != "stdin" and not Path(args.event).exists():
        raise CommandError(f"no event file {args.event}")
    text = sys.stdin.read() if source == "stdin" else Path(args.event).read_text()
    connect_local(args.state_dir)
    values = events.placeholders(state.demo_accounts(args.state_dir)[0])
    try:
        event = events.fill(json.loads(text), values)
    except ValueError as error:  # not JSON, or an unknown placeholder
        raise CommandError(f"{source}: {error}") from None
    try:
        response = lambdas.invoke(functions[args.logical_id], event)
    except lambdas.FunctionTimedOut as timed_out:  # printed as Lambda's Invoke answers it
        return timed_out.as_invoke_result(), 1
    if isinstance(response, dict) and isinstance(response.get("body"), str) and not response.get("isBase64Encoded"):
        with contextlib.suppress(ValueError):  # a body that is not JSON is printed as the text it is
            response = {**response, "body": json.loads(response["body"])}
    return response, 0


def add_openapi(commands: Any) -> None:
    parser = commands.add_parser("openapi", help="print the OpenAPI document of every HTTP route")
    parser.set_defaults(run=run_openapi)


def run_openapi(args: argparse.Namespace) -> int:
    from ringbridge_tools.local import openapi

    print_json(openapi.document())
    return 0
