"""``ringbridge admin``'s data lifecycle (docs/data-lifecycle.md): erasing a person, deleting, exporting and
importing an account, and how long its recordings are kept."""

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ringbridge_tools.cli.common import positive_int, print_json
from ringbridge_tools.cli.targets import add_bucket, stack_output, use_admin_target, use_data_targets


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


def add_set_recording_retention(commands: Any) -> None:
    parser = commands.add_parser(
        "set-recording-retention",
        help="keep an account's recordings for fewer days than the stack's RecordingRetentionDays "
        "(docs/data-lifecycle.md)",
    )
    parser.add_argument("account_id")
    days = parser.add_mutually_exclusive_group(required=True)
    days.add_argument("days", nargs="?", type=positive_int, help="days from a recording's upload")
    days.add_argument("--clear", action="store_true", help="back to the stack's RecordingRetentionDays")
    parser.set_defaults(run=run_set_recording_retention)


def use_recording_retention(args: argparse.Namespace) -> None:
    """The stack's RecordingRetentionDays: --local knows it, --stack-name reads it, else $RECORDING_RETENTION_DAYS."""
    if args.stack_name:
        from ringbridge import settings

        os.environ["RECORDING_RETENTION_DAYS"] = stack_output(args.stack_name, "RecordingRetentionDays")
        settings.reload()


def run_set_recording_retention(args: argparse.Namespace) -> int:
    use_admin_target(args)
    use_recording_retention(args)
    from ringbridge.logic import recording_retention

    print_json(recording_retention.set_account_days(args.account_id, None if args.clear else args.days).model_dump())
    return 0


def add_sweep_recordings(commands: Any) -> None:
    parser = commands.add_parser(
        "sweep-recordings",
        help="delete an account's recordings past its retention now, as RecordingRetentionFunction does daily",
    )
    parser.add_argument("account_id")
    parser.add_argument("--max-steps", type=positive_int, help="stop after this many recordings; default: all")
    add_bucket(parser)
    parser.set_defaults(run=run_sweep_recordings)


def run_sweep_recordings(args: argparse.Namespace) -> int:
    use_data_targets(args)
    use_recording_retention(args)
    from ringbridge.logic import recording_retention
    from ringbridge.logic.allowance import Allowance

    sweep = recording_retention.sweep_account(args.account_id, Allowance(max_steps=args.max_steps))
    print_json(sweep.model_dump())
    if not sweep.complete:
        print("Not finished: run the same command again to continue.", file=sys.stderr)
    if sweep.recordings_kept:
        print(
            f"Kept {sweep.recordings_kept} recording(s) S3 refused to delete (see kept): the next sweep tries again.",
            file=sys.stderr,
        )
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
