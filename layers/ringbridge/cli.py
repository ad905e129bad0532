"""The ``ringbridge`` command: the local stack, invoking functions, the OpenAPI document, admin.

Functions never import this module. Each command is an ``add_<command>`` function that declares
its arguments and a ``run_<command>`` function that does the work; heavy and dev-only modules
are imported inside the ``run_`` functions. To add a command, write the pair and add one line
to ``COMMANDS`` (or ``ADMIN_COMMANDS`` for ``ringbridge admin <command>``).
"""

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_STATE_DIR = ".local"


class CommandError(Exception):
    """A problem to tell the user in one line (exit status 1)."""


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def connect_local(state_dir: Path) -> dict[str, Any]:
    """Point boto3 and the functions' environment at the running local stack (see ringbridge.local.state)."""
    from ringbridge.local import state

    try:
        return state.connect(state_dir)
    except state.NotRunning as error:
        raise CommandError(str(error)) from None


def add_state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(DEFAULT_STATE_DIR),
        help=f"the local stack's state dir (default: {DEFAULT_STATE_DIR})",
    )


# --- serve ---


def add_serve(commands: Any) -> None:
    parser = commands.add_parser("serve", help="run the local stack: HTTP API, emulator, demo data")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "3000")), help="HTTP port (default: $PORT or 3000)"
    )
    parser.add_argument("--emulator-port", type=int, default=0, help="moto's port (default: a free one)")
    add_state_dir(parser)
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from ringbridge.local.serve import serve

    return serve(args.port, args.state_dir, args.emulator_port)


# --- invoke ---


def add_invoke(commands: Any) -> None:
    parser = commands.add_parser("invoke", help="invoke one function with an event file, against the local stack")
    parser.add_argument("logical_id", help="the function's logical id in template.yaml")
    parser.add_argument("event", type=Path, help="an event file; {{placeholders}} come from demo.json's first account")
    add_state_dir(parser)
    parser.set_defaults(run=run_invoke)


def run_invoke(args: argparse.Namespace) -> int:
    from ringbridge.local import events, lambdas, state, template

    functions = template.functions()
    if args.logical_id not in functions:
        raise CommandError(f"no function {args.logical_id} in template.yaml; there are: {', '.join(sorted(functions))}")
    if not args.event.exists():
        raise CommandError(f"no event file {args.event}")
    connect_local(args.state_dir)
    values = events.placeholders(state.demo_accounts(args.state_dir)[0])
    try:
        event = events.load(args.event, values)
    except ValueError as error:
        raise CommandError(f"{args.event}: {error}") from None
    response = lambdas.invoke(functions[args.logical_id], event)
    if isinstance(response, dict) and isinstance(response.get("body"), str) and not response.get("isBase64Encoded"):
        with contextlib.suppress(ValueError):  # a body that is not JSON is printed as the text it is
            response = {**response, "body": json.loads(response["body"])}
    print_json(response)
    return 0


# --- openapi ---


def add_openapi(commands: Any) -> None:
    parser = commands.add_parser("openapi", help="print the OpenAPI document of every HTTP route")
    parser.set_defaults(run=run_openapi)


def run_openapi(args: argparse.Namespace) -> int:
    from ringbridge.local import openapi

    print_json(openapi.document())
    return 0


# --- ringotel-document ---


def add_ringotel_document(commands: Any) -> None:
    parser = commands.add_parser(
        "ringotel-document", help="print the integration document to paste into Ringotel's Admin Portal"
    )
    parser.add_argument("--base-url", required=True, help="the API URL: the stack's ApiUrl output")
    parser.set_defaults(run=run_ringotel_document)


def run_ringotel_document(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from ringbridge.logic import ringotel_document

    if urlsplit(args.base_url).scheme not in ("https", "http") or not urlsplit(args.base_url).netloc:
        raise CommandError(f"--base-url must be an http(s) URL, not {args.base_url!r}")
    print_json(ringotel_document.integration_document(args.base_url))
    return 0


# --- admin ---


def add_admin(commands: Any) -> None:
    parser = commands.add_parser(
        "admin",
        help="accounts, users and API tokens",
        description="Manage accounts, users and tokens in the local stack (--local) or a deployed one.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--local", action="store_true", help="the running local stack (make serve)")
    target.add_argument("--stack-name", help="a deployed CloudFormation stack (its TableName output)")
    target.add_argument("--table", help="a DynamoDB table name")
    add_state_dir(parser)
    admin_commands = parser.add_subparsers(dest="admin_command", required=True, metavar="<command>")
    for add in ADMIN_COMMANDS:
        add(admin_commands)


def use_admin_target(args: argparse.Namespace) -> None:
    """Point the logic layer's table at the chosen stack."""
    if args.local:
        connect_local(args.state_dir)
    elif args.stack_name:
        os.environ["TABLE_NAME"] = _stack_output(args.stack_name, "TableName")
    else:
        os.environ["TABLE_NAME"] = args.table


def _stack_output(stack_name: str, output: str) -> str:
    import boto3

    described = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    for entry in described.get("Outputs", []):
        if entry["OutputKey"] == output:
            return entry["OutputValue"]
    raise CommandError(f"stack {stack_name} has no output {output}")


def add_create_account(commands: Any) -> None:
    parser = commands.add_parser("create-account", help="a new account")
    parser.add_argument("--name", required=True)
    parser.add_argument("--region", required=True, help="ISO country code for reading local phone numbers, e.g. UA")
    parser.set_defaults(run=run_create_account)


def run_create_account(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    print_json(accounts.create_account(args.name, args.region).model_dump())
    return 0


def add_create_user(commands: Any) -> None:
    parser = commands.add_parser("create-user", help="a CRM user of an account")
    parser.add_argument("account_id")
    parser.add_argument("--name", required=True)
    parser.add_argument("--email")
    parser.add_argument("--extension")
    parser.add_argument("--phone")
    parser.set_defaults(run=run_create_user)


def run_create_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    user = accounts.create_user(args.account_id, args.name, args.email, extension=args.extension, phone=args.phone)
    print_json(user.model_dump())
    return 0


def add_create_token(commands: Any) -> None:
    parser = commands.add_parser("create-token", help="a new API token (shown once)")
    parser.add_argument("account_id")
    parser.add_argument("--scope", required=True, choices=["ro", "rw"], help="ro: reads only; rw: reads and writes")
    parser.add_argument("--rate-limit", type=int, help="at most N requests a minute (429 over it; default: none)")
    parser.set_defaults(run=run_create_token)


def run_create_token(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    key_id, token = accounts.create_token(args.account_id, args.scope, args.rate_limit)
    print_json(
        {
            "account_id": args.account_id,
            "key_id": key_id,
            "scope": args.scope,
            "rate_limit_per_minute": args.rate_limit or None,
            "token": token,
        }
    )
    print("Keep the token now: only its hash is stored, so it cannot be shown again.", file=sys.stderr)
    return 0


def add_revoke_token(commands: Any) -> None:
    parser = commands.add_parser("revoke-token", help="revoke an API token by its key id")
    parser.add_argument("account_id")
    parser.add_argument("key_id")
    parser.set_defaults(run=run_revoke_token)


def run_revoke_token(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge import settings
    from ringbridge.logic import accounts

    accounts.revoke_token(args.account_id, args.key_id)
    print_json({"account_id": args.account_id, "key_id": args.key_id, "revoked": True})
    print(
        f"Warm functions that verified this token may accept it for up to {settings.auth_cache_seconds():g} s more.",
        file=sys.stderr,
    )
    return 0


def add_set_rate_limit(commands: Any) -> None:
    parser = commands.add_parser("set-rate-limit", help="change a token's requests-a-minute limit (0: none)")
    parser.add_argument("account_id")
    parser.add_argument("key_id")
    parser.add_argument("rate_limit", type=int, help="at most N requests a minute; 0 removes the limit")
    parser.set_defaults(run=run_set_rate_limit)


def run_set_rate_limit(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge import settings
    from ringbridge.logic import accounts

    accounts.set_token_rate_limit(args.account_id, args.key_id, args.rate_limit)
    print_json({"account_id": args.account_id, "key_id": args.key_id, "rate_limit_per_minute": args.rate_limit or None})
    print(f"Warm functions apply it within {settings.auth_cache_seconds():g} s.", file=sys.stderr)
    return 0


def add_list_tokens(commands: Any) -> None:
    parser = commands.add_parser("list-tokens", help="an account's tokens (ids, scopes, dates; never secrets)")
    parser.add_argument("account_id")
    parser.set_defaults(run=run_list_tokens)


def run_list_tokens(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    accounts.get_account(args.account_id)  # an unknown account is an error, not an empty list
    print_json(accounts.list_tokens(args.account_id))
    return 0


def add_ringostat_config(commands: Any) -> None:
    parser = commands.add_parser("ringostat-config", help="sync an account's contacts to a Ringostat project")
    parser.add_argument("account_id")
    parser.add_argument("--project-id", type=int, required=True, help="the Ringostat project id")
    parser.add_argument("--auth-key", required=True, help="the project's auth key ('-' reads it from stdin)")
    parser.add_argument("--origin", required=True, help="the CRM name Ringostat shows")
    parser.add_argument(
        "--contact-link", required=True, help="a contact's page, {id} for its id: https://crm.example.com/contacts/{id}"
    )
    parser.set_defaults(run=run_ringostat_config)


def run_ringostat_config(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import ringostat

    auth_key = sys.stdin.readline() if args.auth_key == "-" else args.auth_key
    config = ringostat.configure(args.account_id, args.project_id, auth_key, args.origin, args.contact_link)
    print_json({"account_id": args.account_id, **config.model_dump()})
    parameter = ringostat.SyncSettings.from_env().auth_key_parameter(args.account_id)
    print(f"The auth key is stored in SSM Parameter Store as the SecureString {parameter}.", file=sys.stderr)
    return 0


def add_ringostat_status(commands: Any) -> None:
    parser = commands.add_parser("ringostat-status", help="Ringostat sync state of one account, or of every one")
    parser.add_argument("account_id", nargs="?")
    parser.set_defaults(run=run_ringostat_status)


def run_ringostat_status(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import ringostat

    print_json([account.model_dump() for account in ringostat.sync_status(args.account_id)])
    return 0


COMMANDS: list[Callable[[Any], None]] = [add_serve, add_invoke, add_openapi, add_ringotel_document, add_admin]
ADMIN_COMMANDS: list[Callable[[Any], None]] = [
    add_create_account,
    add_create_user,
    add_create_token,
    add_revoke_token,
    add_set_rate_limit,
    add_list_tokens,
    add_ringostat_config,
    add_ringostat_status,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ringbridge", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from botocore.exceptions import BotoCoreError, ClientError

    from ringbridge.errors import RingbridgeError

    try:
        return args.run(args)
    except RingbridgeError as error:
        field = f" ({error.field})" if error.field else ""
        print(f"error: {error.message}{field}", file=sys.stderr)
    except (CommandError, BotoCoreError, ClientError) as error:
        print(f"error: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
