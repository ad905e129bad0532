"""``ringbridge admin``: the stack it acts on (--local, --stack-name or --table) and its commands."""

import argparse
from collections.abc import Callable
from functools import partial
from typing import Any

from ringbridge_tools.cli import accounts, data_lifecycle, vendors
from ringbridge_tools.cli.common import add_state_dir


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


ADMIN_COMMANDS: list[Callable[[Any], None]] = [
    accounts.add_create_account,
    accounts.add_create_user,
    accounts.add_update_user,
    accounts.add_remove_user,
    accounts.add_create_token,
    accounts.add_revoke_token,
    accounts.add_set_rate_limit,
    accounts.add_list_tokens,
    vendors.add_ringostat_config,
    partial(vendors.add_remove, vendor=vendors.RINGOSTAT),
    partial(vendors.add_status, vendor=vendors.RINGOSTAT),
    accounts.add_create_oauth_client,
    accounts.add_list_oauth_clients,
    accounts.add_revoke_oauth_client,
    vendors.add_ringcloud_config,
    partial(vendors.add_status, vendor=vendors.RINGCLOUD),
    partial(vendors.add_remove, vendor=vendors.RINGCLOUD),
    data_lifecycle.add_erase_contact,
    data_lifecycle.add_delete_account,
    data_lifecycle.add_set_recording_retention,
    data_lifecycle.add_sweep_recordings,
    data_lifecycle.add_export_account,
    data_lifecycle.add_import_account,
]
