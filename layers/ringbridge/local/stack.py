"""The local AWS: moto in server mode, with the tables and buckets of template.yaml.

Resources are created from the template's own definitions, so local data has exactly the keys
and indexes the deployed stack has. Works against any endpoint (DynamoDB Local, LocalStack).
"""

import os
from typing import Any

import boto3

from ringbridge.local import template

LOCAL_REGION = "us-east-1"


def use_endpoint(endpoint_url: str) -> None:
    """Point every boto3 client of this process (and its children) at a local emulator."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", LOCAL_REGION)
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])


def start_emulator(port: int) -> Any:
    """moto's threaded server on 127.0.0.1:port; call .stop() on the answer."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def function_environment() -> dict[str, str]:
    """Every function's environment variables, which in this template do not conflict."""
    merged: dict[str, str] = {}
    for function in template.functions().values():
        for name, value in function.environment.items():
            if merged.setdefault(name, value) != value:
                raise ValueError(f"functions disagree on {name}; the local stack runs them in one process")
    return merged


def create_resources() -> None:
    """Create every table and bucket of the template that does not exist yet."""
    dynamodb = boto3.client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    for logical_id, resource in template.resources("AWS::DynamoDB::Table").items():
        name = template.local_name(logical_id)
        if name in existing:
            continue
        props = resource["Properties"]
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb.create_table(**request)
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    s3 = boto3.client("s3")
    buckets = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    for logical_id in template.resources("AWS::S3::Bucket"):
        name = template.local_name(logical_id)
        if name not in buckets:
            s3.create_bucket(Bucket=name)
