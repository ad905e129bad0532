"""The vendors' configuration: Ringotel's integration document, an account's Ringostat sync and RingCloud import."""

import argparse
import sys
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import Any

from ringbridge_tools.cli.common import CommandError, print_json, read_stdin_arguments
from ringbridge_tools.cli.targets import use_admin_target


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
    from ringbridge import settings
    from ringbridge.logic import ringostat_config as ringostat

    read_stdin_arguments(args, "auth_key")
    config = ringostat.configure(args.account_id, args.project_id, args.auth_key, args.origin, args.contact_link)
    print_json({"account_id": args.account_id, **config.model_dump()})
    parameter = settings.current().ringostat.auth_key_parameter(args.account_id)
    print(f"The auth key is stored in SSM Parameter Store as the SecureString {parameter}.", file=sys.stderr)
    return 0


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
    from ringbridge import settings
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
    prefix = settings.current().ringcloud.password_parameter(args.account_id, "")
    print(f"The passwords are stored in SSM Parameter Store as SecureStrings under {prefix}.", file=sys.stderr)
    return 0


@dataclass(frozen=True)
class Vendor:
    """A vendor's ``<name>-status`` and ``<name>-remove`` commands: their help and the logic module they call."""

    name: str
    logic: str  # the module with status(account_id) and remove(account_id)
    status_help: str
    remove_help: str
    not_shown: dict[str, Any] | None = None  # what status leaves out (model_dump's exclude)


RINGOSTAT = Vendor(
    "ringostat",
    "ringbridge.logic.ringostat_config",
    status_help="Ringostat sync state of one account, or of every one",
    remove_help="stop syncing an account to Ringostat (deletes its config and auth key)",
)
RINGCLOUD = Vendor(
    "ringcloud",
    "ringbridge.logic.ringcloud",
    status_help="RingCloud import state of one account, or of every one",
    remove_help="stop importing an account's RingCloud calls (deletes its config, status and passwords)",
    not_shown={"status": {"users"}},  # click-to-call's lookup of user names, not the import's state
)


def add_status(commands: Any, vendor: Vendor) -> None:
    parser = commands.add_parser(f"{vendor.name}-status", help=vendor.status_help)
    parser.add_argument("account_id", nargs="?", help="the account (none: every configured one)")
    parser.set_defaults(run=partial(run_status, vendor))


def run_status(vendor: Vendor, args: argparse.Namespace) -> int:
    use_admin_target(args)
    logic = import_module(vendor.logic)
    print_json([account.model_dump(exclude=vendor.not_shown) for account in logic.status(args.account_id)])
    return 0


def add_remove(commands: Any, vendor: Vendor) -> None:
    parser = commands.add_parser(f"{vendor.name}-remove", help=vendor.remove_help)
    parser.add_argument("account_id")
    parser.set_defaults(run=partial(run_remove, vendor))


def run_remove(vendor: Vendor, args: argparse.Namespace) -> int:
    use_admin_target(args)
    import_module(vendor.logic).remove(args.account_id)
    print_json({"account_id": args.account_id, vendor.name: "removed"})
    return 0
