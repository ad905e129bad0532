"""Test-only searches of everything stored: the whole table (a Scan), every object version of the recordings
bucket, every SSM parameter. Through boto3 clients of their own: the product never Scans, and the no-Scan
guard watches ringbridge's client only."""

import json
from typing import Any

import boto3

from ringbridge import settings
from ringbridge.dal import table


def table_items() -> list[dict[str, Any]]:
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table.name())
    return [item for page in pages for item in page["Items"]]


def objects() -> dict[str, bytes]:
    """Every version of every object of the recordings bucket: "key version" -> its bytes."""
    s3 = boto3.client("s3")
    bucket = settings.current().recordings_bucket
    found = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            answer = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
            found[f"{version['Key']} {version['VersionId']}"] = answer["Body"].read()
    return found


def parameters() -> list[str]:
    pages = boto3.client("ssm").get_paginator("get_parameters_by_path").paginate(Path="/", Recursive=True)
    return [parameter["Name"] for page in pages for parameter in page["Parameters"]]


def everything() -> str:
    """The table, the bucket (keys and bytes) and the SSM parameters' names, as one text to search."""
    stored = [json.dumps(table_items()), *(f"{name} {body.decode('latin-1')}" for name, body in objects().items())]
    return "\n".join([*stored, *parameters()])


def of_account(account_id: str) -> tuple[list[str], list[str], list[str]]:
    """What names the account: its items (as JSON, sorted), its objects (key and bytes) and its parameters."""
    items = sorted(json.dumps(item, sort_keys=True) for item in table_items() if account_id in json.dumps(item))
    found = sorted(f"{name} {body.hex()}" for name, body in objects().items() if account_id in name)
    return items, found, sorted(name for name in parameters() if account_id in name)
