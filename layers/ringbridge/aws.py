"""boto3 clients, created once per process on first use and reused.

boto3 honours AWS_ENDPOINT_URL, which points every client at a local emulator.
"""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from ringbridge import settings


# A retried TransactWriteItems is harmless in DynamoDB (botocore sends the same ClientRequestToken),
# but an emulator applies it twice: there a slow answer must be waited for, not retried. moto copies
# the whole table for each transaction, so on a busy machine an answer can take longer than 5 s.
def _config() -> Config:
    return Config(
        connect_timeout=2,
        read_timeout=60 if settings.current().aws_endpoint_url else 5,
        retries={"mode": "standard", "max_attempts": 3},
    )


@cache
def dynamodb() -> Any:
    return boto3.client("dynamodb", config=_config())


@cache
def ssm() -> Any:
    return boto3.client("ssm", config=_config())


@cache
def s3() -> Any:
    return boto3.client("s3", config=Config(signature_version="s3v4", retries={"mode": "standard"}))
