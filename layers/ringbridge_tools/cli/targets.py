"""Which stack an admin command acts on (--local, --stack-name or --table) and its recordings bucket."""

import argparse
import os

from ringbridge_tools.cli.common import CommandError, connect_local


def use_admin_target(args: argparse.Namespace) -> None:
    """Point the logic layer's table at the chosen stack."""
    if args.local:
        connect_local(args.state_dir)
    elif args.stack_name:
        os.environ["TABLE_NAME"] = stack_output(args.stack_name, "TableName")
    else:
        import boto3

        if boto3.session.Session().region_name is None:
            raise CommandError(f"You must specify a region. --table {_AWS_SETUP}")
        os.environ["TABLE_NAME"] = args.table
    _reload_settings()


# What --stack-name and --table need, said where it is missing.
_AWS_SETUP = (
    "uses your AWS credentials in the table's region: set AWS_REGION (e.g. AWS_REGION=eu-central-1) and "
    "AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run `aws configure`"
)


def stack_output(stack_name: str, output: str) -> str:
    """A deployed stack's CloudFormation output, e.g. its TableName."""
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


def add_bucket(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bucket", help="the recordings bucket, with --table (--stack-name and --local know it)")


def use_recordings_bucket(args: argparse.Namespace) -> None:
    """Point the logic layer at the recordings bucket too: --bucket, else the stack's, else $RECORDINGS_BUCKET."""
    if args.bucket:
        os.environ["RECORDINGS_BUCKET"] = args.bucket
    elif args.stack_name:
        os.environ["RECORDINGS_BUCKET"] = stack_output(args.stack_name, "RecordingsBucketName")
    elif not os.environ.get("RECORDINGS_BUCKET"):
        raise CommandError("--bucket: with --table, name the recordings bucket (or set RECORDINGS_BUCKET)")
    _reload_settings()


def _reload_settings() -> None:
    """A process that read the settings before (a test calling the CLI) reads the target's names."""
    from ringbridge import settings

    settings.reload()


def use_data_targets(args: argparse.Namespace) -> None:
    """The table and the recordings bucket: what the commands that erase, delete, export or import need."""
    use_admin_target(args)
    use_recordings_bucket(args)
