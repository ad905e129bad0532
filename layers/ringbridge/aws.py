"""boto3 clients, created once per process on first use and reused.

boto3 honours AWS_ENDPOINT_URL, which points every client at a local emulator.
"""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
)


@cache
def dynamodb() -> Any:
    return boto3.client("dynamodb", config=_CONFIG)


@cache
def ssm() -> Any:
    return boto3.client("ssm", config=_CONFIG)


@cache
def s3() -> Any:
    return boto3.client("s3", config=Config(signature_version="s3v4", retries={"mode": "standard"}))
