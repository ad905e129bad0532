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
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

DEFAULT_STATE_DIR = ".local"


class CommandError(Exception):
    """A problem to tell the user in one line (exit status 1)."""


def print_json(value: Any, file: TextIO | None = None) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str), file=file)


def connect_local(state_dir: Path) -> dict[str, Any]:
    """Point boto3 and the functions' environment at the running local stack (see ringbridge.local.state)."""
    from ringbridge.local import state

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
    from ringbridge.local import stack, state

    # The functions' environment before any of their code is imported (the demo data imports it):
    # Powertools reads POWERTOOLS_SERVICE_NAME once, so logs would otherwise say "service_undefined".
    os.environ.update(stack.function_environment())
    from ringbridge.local.serve import serve

    try:
        return serve(args.port, args.state_dir, args.emulator_port)
    except state.InUse as error:
        raise CommandError(str(error)) from None


# --- invoke ---


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
    from ringbridge.local import events, lambdas, state, template

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
    parser.add_argument(
        "--auth",
        choices=["bearer", "basic", "oauth2"],
        default="bearer",
        help="how Ringotel signs in: API key as Bearer token (default), API key as Basic user name, or OAuth2",
    )
    parser.set_defaults(run=run_ringotel_document)


def run_ringotel_document(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from ringbridge.logic import ringotel_document

    if urlsplit(args.base_url).scheme not in ("https", "http") or not urlsplit(args.base_url).netloc:
        raise CommandError(f"--base-url must be an http(s) URL, not {args.base_url!r}")
    print_json(ringotel_document.integration_document(args.base_url, args.auth))
    return 0


# --- fake: vendors' servers on 127.0.0.1, for trying the local stack ---


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
    from ringbridge.local.fakes.ringostat import PATHS, FakeRingostat, Received

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


def serve_registered(state_dir: Path, vendor: str, fake: Any, banner: str) -> None:
    """Register the started fake in the state dir, where the local stack looks for it before each
    invocation; print the banner; serve until Ctrl-C (or SIGTERM); then unregister and stop it."""
    import signal
    import threading

    from ringbridge.local import state

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


# --- admin ---


def add_admin(commands: Any) -> None:
    parser = commands.add_parser(
        "admin",
        help="accounts, users and API tokens",
        description="Manage accounts, users and tokens in the local stack (--local) or a deployed one.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--local", action="store_true", help="the running local stack (make serve)")
    target.add_argument(
        "--stack-name",
        help="a deployed stack (reads its TableName output): needs AWS credentials and a region, "
        "e.g. AWS_PROFILE=prod AWS_REGION=eu-central-1",
    )
    target.add_argument("--table", help="a DynamoDB table name: needs AWS credentials and a region, as --stack-name")
    add_state_dir(parser)
    admin_commands = parser.add_subparsers(dest="admin_command", required=True, metavar="<command>")
    for add in ADMIN_COMMANDS:
        add(admin_commands)
    for command in admin_commands.choices.values():  # also after the command; given there, it wins
        add_state_dir(command, default=argparse.SUPPRESS)


def use_admin_target(args: argparse.Namespace) -> None:
    """Point the logic layer's table at the chosen stack."""
    if args.local:
        connect_local(args.state_dir)
    elif args.stack_name:
        os.environ["TABLE_NAME"] = _stack_output(args.stack_name, "TableName")
    else:
        import boto3

        if boto3.session.Session().region_name is None:
            raise CommandError(f"You must specify a region. --table {_AWS_SETUP}")
        os.environ["TABLE_NAME"] = args.table


# What --stack-name and --table need, said where it is missing.
_AWS_SETUP = (
    "uses your AWS credentials in the table's region: set AWS_REGION (e.g. AWS_REGION=eu-central-1) and "
    "AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run `aws configure`"
)


def _stack_output(stack_name: str, output: str) -> str:
    import boto3
    from botocore.exceptions import NoCredentialsError, NoRegionError

    try:
        described = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    except (NoRegionError, NoCredentialsError) as error:
        raise CommandError(f"{error} --stack-name {_AWS_SETUP}") from None
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
    parser.add_argument("--extension", help="unique in the account: Ringotel's calls find the user by it")
    parser.add_argument("--phone")
    parser.set_defaults(run=run_create_user)


def run_create_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    user = accounts.create_user(args.account_id, args.name, args.email, extension=args.extension, phone=args.phone)
    print_json(user.model_dump())
    return 0


def add_update_user(commands: Any) -> None:
    parser = commands.add_parser(
        "update-user", help="change a user's name, e-mail, extension or phone (an empty value clears it)"
    )
    parser.add_argument("account_id")
    parser.add_argument("user_id")
    parser.add_argument("--name")
    parser.add_argument("--email")
    parser.add_argument("--extension", help="unique in the account: Ringotel's calls find the user by it")
    parser.add_argument("--phone")
    parser.set_defaults(run=run_update_user)


def run_update_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    given = {name: getattr(args, name) for name in ("name", "email", "extension", "phone")}
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise CommandError("nothing to change: give --name, --email, --extension or --phone")
    print_json(accounts.update_user(args.account_id, args.user_id, **changes).model_dump())
    return 0


def add_remove_user(commands: Any) -> None:
    parser = commands.add_parser("remove-user", help="delete a user (the Ringio users feed reports it deleted)")
    parser.add_argument("account_id")
    parser.add_argument("user_id")
    parser.set_defaults(run=run_remove_user)


def run_remove_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    removed = accounts.remove_user(args.account_id, args.user_id)
    print_json({"account_id": args.account_id, "user_id": removed.id, "removed": True})
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

    read_stdin_arguments(args, "auth_key")
    config = ringostat.configure(args.account_id, args.project_id, args.auth_key, args.origin, args.contact_link)
    print_json({"account_id": args.account_id, **config.model_dump()})
    parameter = ringostat.SyncSettings.from_env().auth_key_parameter(args.account_id)
    print(f"The auth key is stored in SSM Parameter Store as the SecureString {parameter}.", file=sys.stderr)
    return 0


def add_ringostat_remove(commands: Any) -> None:
    parser = commands.add_parser(
        "ringostat-remove", help="stop syncing an account to Ringostat (deletes its config and auth key)"
    )
    parser.add_argument("account_id")
    parser.set_defaults(run=run_ringostat_remove)


def run_ringostat_remove(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import ringostat

    ringostat.remove(args.account_id)
    print_json({"account_id": args.account_id, "ringostat": None})
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


def add_create_oauth_client(commands: Any) -> None:
    parser = commands.add_parser("create-oauth-client", help="register an OAuth2 client (its secret is shown once)")
    parser.add_argument("account_id")
    parser.add_argument("--name", required=True, help="shown on the consent page, e.g. Ringotel")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        required=True,
        help="where the client receives codes (exact match; repeat for several)",
    )
    parser.add_argument(
        "--require-pkce",
        action="store_true",
        help="refuse authorization requests without an S256 code_challenge (default: PKCE optional, "
        "as phone systems' OAuth clients often do not send it)",
    )
    parser.set_defaults(run=run_create_oauth_client)


def run_create_oauth_client(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.oauth import clients

    print_json(clients.create_client(args.account_id, args.name, args.redirect_uri, args.require_pkce))
    print("Keep the client secret now: only its hash is stored, so it cannot be shown again.", file=sys.stderr)
    return 0


def add_list_oauth_clients(commands: Any) -> None:
    parser = commands.add_parser("list-oauth-clients", help="an account's OAuth2 clients (never secrets)")
    parser.add_argument("account_id")
    parser.set_defaults(run=run_list_oauth_clients)


def run_list_oauth_clients(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.oauth import clients

    print_json(clients.list_clients(args.account_id))
    return 0


def add_revoke_oauth_client(commands: Any) -> None:
    parser = commands.add_parser("revoke-oauth-client", help="revoke an OAuth2 client and every token it holds")
    parser.add_argument("account_id")
    parser.add_argument("client_id")
    parser.set_defaults(run=run_revoke_oauth_client)


def run_revoke_oauth_client(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge import settings
    from ringbridge.oauth import clients

    clients.revoke_client(args.account_id, args.client_id)
    print_json({"account_id": args.account_id, "client_id": args.client_id, "revoked": True})
    print(
        f"Warm functions that verified its tokens may accept them for up to {settings.auth_cache_seconds():g} s more.",
        file=sys.stderr,
    )
    return 0


# --- RingCloud (admin ringcloud-config / ringcloud-status / ringcloud-remove, fake ringcloud) ---


def add_ringcloud_config(commands: Any) -> None:
    parser = commands.add_parser("ringcloud-config", help="import an account's RingCloud calls; click-to-call")
    parser.add_argument("account_id")
    parser.add_argument("--api-key", required=True, help="the RO key: <account number>_<body>")
    parser.add_argument("--password", required=True, help="the RO key's password ('-' reads it from stdin)")
    parser.add_argument("--rw-api-key", help="the RW key, for click-to-call")
    parser.add_argument("--rw-password", help="the RW key's password ('-' reads it from stdin)")
    parser.add_argument("--timezone", default="UTC", help="the IANA zone of RingCloud's call times (default UTC)")
    parser.add_argument("--days", type=int, default=1, help="how many days back each import looks, 1-7 (default 1)")
    parser.add_argument(
        "--allow-countries",
        default="",
        help="click-to-call: countries to dial besides the account's own, ISO codes separated by commas (e.g. PL,DE)",
    )
    parser.add_argument(
        "--allow-types",
        default="",
        help="click-to-call: number types to dial besides fixed lines, mobiles and toll-free numbers, separated "
        "by commas: voip, premium-rate, shared-cost, personal, pager, uan, voicemail",
    )
    parser.set_defaults(run=run_ringcloud_config)


def run_ringcloud_config(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import ringcloud

    read_stdin_arguments(args, "password", "rw_password")
    config = ringcloud.configure(
        args.account_id,
        args.api_key,
        args.password,
        rw_api_key=args.rw_api_key,
        rw_password=args.rw_password,
        timezone=args.timezone,
        days=args.days,
        allowed_countries=args.allow_countries.split(","),
        allowed_types=args.allow_types.split(","),
    )
    print_json({"account_id": args.account_id, **config.model_dump()})
    prefix = ringcloud.RingcloudSettings.from_env().password_parameter(args.account_id, "")
    print(f"The passwords are stored in SSM Parameter Store as SecureStrings under {prefix}.", file=sys.stderr)
    return 0


def add_ringcloud_status(commands: Any) -> None:
    parser = commands.add_parser("ringcloud-status", help="RingCloud import state of one account, or of every one")
    parser.add_argument("account_id", nargs="?")
    parser.set_defaults(run=run_ringcloud_status)


def run_ringcloud_status(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import ringcloud

    print_json([account.model_dump(exclude={"status": {"users"}}) for account in ringcloud.status(args.account_id)])
    return 0


def add_ringcloud_remove(commands: Any) -> None:
    parser = commands.add_parser("ringcloud-remove", help="stop importing an account's RingCloud calls")
    parser.add_argument("account_id")
    parser.set_defaults(run=run_ringcloud_remove)


def run_ringcloud_remove(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import ringcloud

    ringcloud.remove(args.account_id)
    print_json({"account_id": args.account_id, "ringcloud": "removed"})
    return 0


def add_fake_ringcloud(commands: Any) -> None:
    parser = commands.add_parser("ringcloud", help="a fake RingCloud, seeded with calls and short recordings")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    add_state_dir(parser)
    parser.set_defaults(run=run_fake_ringcloud)


def run_fake_ringcloud(args: argparse.Namespace) -> int:
    from ringbridge.local.fakes import ringcloud

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


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_erase_contact(commands: Any) -> None:
    parser = commands.add_parser(
        "erase-contact",
        help="erase a person: the contact, its notes and recordings; its calls anonymised (docs/data-lifecycle.md)",
    )
    parser.add_argument("account_id")
    parser.add_argument("contact_id")
    parser.add_argument(
        "--max-steps", type=positive_int, help="stop after this many steps (run again to continue); default: all"
    )
    add_bucket(parser)
    parser.set_defaults(run=run_erase_contact)


def add_bucket(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bucket", help="the recordings bucket, with --table (--stack-name and --local know it)")


def use_recordings_bucket(args: argparse.Namespace) -> None:
    """Point the logic layer at the recordings bucket too: --bucket, else the stack's, else $RECORDINGS_BUCKET."""
    if args.bucket:
        os.environ["RECORDINGS_BUCKET"] = args.bucket
    elif args.stack_name:
        os.environ["RECORDINGS_BUCKET"] = _stack_output(args.stack_name, "RecordingsBucketName")
    elif not os.environ.get("RECORDINGS_BUCKET"):
        raise CommandError("--bucket: with --table, name the recordings bucket (or set RECORDINGS_BUCKET)")


def use_data_targets(args: argparse.Namespace) -> None:
    """The table and the recordings bucket: what the commands that erase, delete, export or import need."""
    use_admin_target(args)
    use_recordings_bucket(args)


def run_erase_contact(args: argparse.Namespace) -> int:
    use_data_targets(args)
    from ringbridge.logic import erasure
    from ringbridge.logic.allowance import Allowance

    result = erasure.erase_contact(args.account_id, args.contact_id, Allowance(max_steps=args.max_steps))
    print_json(result.model_dump())
    if not result.complete:
        print("Stopped before the end: run the same command again to continue.", file=sys.stderr)
    return 0


def add_delete_account(commands: Any) -> None:
    parser = commands.add_parser(
        "delete-account",
        help="delete an account and everything of it, for good; run again to continue (docs/data-lifecycle.md)",
    )
    parser.add_argument("account_id")
    parser.add_argument("--confirm", required=True, metavar="ACCOUNT_ID", help="the account id again")
    parser.add_argument("--max-steps", type=positive_int, help="stop after this many steps; default: all")
    parser.add_argument(
        "--no-wait", action="store_true", help="do not wait for the last sweep (run again later to finish)"
    )
    add_bucket(parser)
    parser.set_defaults(run=run_delete_account)


def run_delete_account(args: argparse.Namespace) -> int:
    use_data_targets(args)
    from ringbridge import clock
    from ringbridge.logic import account_deletion
    from ringbridge.logic.allowance import Allowance

    allowance = Allowance(max_steps=args.max_steps)
    deletion = account_deletion.delete_account(args.account_id, args.confirm, allowance)
    while deletion.wait_until and not (args.no_wait or args.max_steps):
        wait = (clock.parse_iso(deletion.wait_until) - clock.now()).total_seconds()
        print(f"Waiting {wait:.0f} s for requests that passed auth before to end.", file=sys.stderr)
        clock.sleep(max(wait, 0))
        deletion = account_deletion.delete_account(args.account_id, args.confirm, allowance)
    print_json(deletion.model_dump())
    if not deletion.complete:
        print("Not finished: run the same command again to continue.", file=sys.stderr)
    return 0


def add_export_account(commands: Any) -> None:
    parser = transfer_parser(
        commands, "export-account", "an account's data as JSON Lines, recordings and a manifest", run_export_account
    )
    parser.add_argument("--out", required=True, type=Path, help="a new or empty directory (or the unfinished export)")


def run_export_account(args: argparse.Namespace) -> int:
    use_data_targets(args)
    from ringbridge.logic import account_export

    return run_transfer(args, account_export.export_account, args.out)


def add_import_account(commands: Any) -> None:
    parser = transfer_parser(
        commands, "import-account", "restore an export into a new, empty account", run_import_account
    )
    parser.add_argument("--from", dest="source", required=True, type=Path, help="the export's directory")


def run_import_account(args: argparse.Namespace) -> int:
    use_data_targets(args)
    from ringbridge.logic import account_import

    return run_transfer(args, account_import.import_account, args.source)


def transfer_parser(commands: Any, name: str, what: str, run: Callable[[argparse.Namespace], int]) -> Any:
    """What export-account and import-account share: the account, --max-steps and --bucket."""
    parser = commands.add_parser(name, help=f"{what}; run again to continue (docs/data-lifecycle.md)")
    parser.add_argument("account_id")
    parser.add_argument("--max-steps", type=positive_int, help="stop after this many records; default: all")
    add_bucket(parser)
    parser.set_defaults(run=run)
    return parser


def run_transfer(args: argparse.Namespace, transfer: Callable[..., Any], directory: Path) -> int:
    from ringbridge.logic.allowance import Allowance

    done = transfer(args.account_id, directory, Allowance(max_steps=args.max_steps))
    print_json(done.model_dump())
    if not done.complete:
        print("Not finished: run the same command again to continue.", file=sys.stderr)
    return 0


COMMANDS: list[Callable[[Any], None]] = [
    add_serve,
    add_invoke,
    add_openapi,
    add_ringotel_document,
    add_admin,
    add_fake,
]
FAKE_COMMANDS: list[Callable[[Any], None]] = [add_fake_ringostat, add_fake_ringcloud]
ADMIN_COMMANDS: list[Callable[[Any], None]] = [
    add_create_account,
    add_create_user,
    add_update_user,
    add_remove_user,
    add_create_token,
    add_revoke_token,
    add_set_rate_limit,
    add_list_tokens,
    add_ringostat_config,
    add_ringostat_remove,
    add_ringostat_status,
    add_create_oauth_client,
    add_list_oauth_clients,
    add_revoke_oauth_client,
    add_ringcloud_config,
    add_ringcloud_status,
    add_ringcloud_remove,
    add_erase_contact,
    add_delete_account,
    add_export_account,
    add_import_account,
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
    from ringbridge.local import netguard

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


if __name__ == "__main__":
    sys.exit(main())
