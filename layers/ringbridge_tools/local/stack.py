"""The local AWS: moto in server mode, with the tables and buckets of template.yaml.

Resources are created from the template's own definitions, so local data has exactly the keys
and indexes the deployed stack has. Works against any endpoint (DynamoDB Local, LocalStack).
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from ringbridge import aws, settings
from ringbridge_tools.local import template

LOCAL_REGION = "us-east-1"


def use_endpoint(endpoint_url: str) -> None:
    """Point every boto3 client of this process (and its children) at a local emulator."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", LOCAL_REGION)
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
    settings.reload()  # read before this endpoint was set
    for client in (aws.dynamodb, aws.ssm, aws.s3):  # made for an earlier endpoint (a forked test session's)
        client.cache_clear()


@dataclass
class Emulator:
    """moto in server mode on 127.0.0.1, served by werkzeug in a background thread."""

    server: Any
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


# DynamoDB operations that only read: every other request to the emulator may change its state.
_DYNAMODB_READS = ("Get", "BatchGet", "Query", "Scan", "Describe", "List")


def _is_write(environ: dict[str, Any]) -> bool:
    if environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS"):
        return False
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target.rsplit(".", 1)[-1]
    return not (target.startswith("DynamoDB") and operation.startswith(_DYNAMODB_READS))


def start_emulator(port: int = 0, on_write: Callable[[], None] | None = None) -> Emulator:
    """moto's server on 127.0.0.1:port (0: a free port); ``on_write`` is called on every request that may write."""
    import logging

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _transactions_undo_only_their_items()
    moto_app = DomainDispatcherApplication(create_backend_app)
    # moto applies a DynamoDB request without locking, so two concurrent conditional writes or
    # transactions could both pass their conditions. DynamoDB makes each one atomic: so does this lock.
    dynamodb_lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if on_write is not None and _is_write(environ):
            on_write()
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with dynamodb_lock:
                return moto_app(environ, start_response)
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="moto", daemon=True)
    thread.start()
    return Emulator(server, thread)


def _transactions_undo_only_their_items() -> None:
    """Make a failed transaction in moto undo its own writes, and only them, as DynamoDB's does.

    moto backs a transaction up by deep-copying every table it names, whole, with its stream, and
    puts the copies in place when it fails. Each transaction then takes time in proportion to the
    table (in a long test session, past a function's 10 s timeout), and a stream reader holds the
    replaced stream and never sees another record. Here a transaction backs up the items it names
    and the length of each stream; a failed one puts those items back and takes back the stream
    records it appended (DynamoDB emits none for it).
    """
    import copy

    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend.transact_write_items, "undoes_only_its_items", False):
        return
    original = DynamoDBBackend.transact_write_items

    def named_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[Table, Any, Any]]:
        """(table, hash key, range key) of each item named; an operation without its key writes nothing."""
        named: list[tuple[Table, Any, Any]] = []
        for entry in transact_items:
            for operation in entry.values():
                table = self.tables.get(operation.get("TableName"))
                key = operation.get("Key") or operation.get("Item") or {}
                if table is None or table.hash_key_attr not in key:
                    continue
                if table.range_key_attr is None:
                    named.append((table, DynamoType(key[table.hash_key_attr]), None))
                elif table.range_key_attr in key:
                    named.append((table, DynamoType(key[table.hash_key_attr]), DynamoType(key[table.range_key_attr])))
        return named

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        backup = [
            (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
            for table, hash_key, range_key in named_items(self, transact_items)
        ]
        lengths = {
            table.stream_shard: len(table.stream_shard.items) for table in self.tables.values() if table.stream_shard
        }
        Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]  # moto's whole-table backup
        try:
            original(self, transact_items)
        except Exception:
            _undo(backup, lengths)
            raise
        finally:
            del Table.__deepcopy__  # type: ignore[attr-defined]

    transact_write_items.undoes_only_its_items = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _undo(backup: list[tuple[Any, Any, Any, Any]], stream_lengths: dict[Any, int]) -> None:
    """Put the items a failed transaction named back as they were (an item it created is removed), and take
    back the stream records it appended."""
    for table, hash_key, range_key, item in backup:
        items: dict[Any, Any] = table.items[hash_key] if range_key is not None else table.items
        key = range_key if range_key is not None else hash_key
        if item is None:
            items.pop(key, None)
        else:
            items[key] = item
    for shard, length in stream_lengths.items():
        del shard.items[length:]


def function_environment() -> dict[str, str]:
    """Every function's environment variables (which in this template do not conflict), but the vendors' URLs."""
    from ringbridge_tools.local import vendors  # which imports this module (through state)

    merged: dict[str, str] = {}
    for function in template.functions().values():
        for name, value in function.environment.items():
            if name in vendors.VARIABLES:  # a vendor's real host: the local stack resolves its own (see vendors)
                continue
            if merged.setdefault(name, value) != value:
                raise ValueError(f"functions disagree on {name}; the local stack runs them in one process")
    # EMF metrics are JSON lines on stdout, where `ringbridge invoke` prints its answer: off unless asked for.
    merged["POWERTOOLS_METRICS_DISABLED"] = os.environ.get("POWERTOOLS_METRICS_DISABLED", "true")
    merged["ALLOW_LOCAL_DOWNLOADS"] = "1"  # recordings from a file server on this machine (never in Lambda)
    return merged


def create_resources() -> None:
    """Create every table, bucket and queue of the template that does not exist yet."""
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
        if props.get("StreamSpecification"):
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
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
    sqs = boto3.client("sqs")
    for logical_id in template.resources("AWS::SQS::Queue"):
        sqs.create_queue(QueueName=template.local_name(logical_id))  # answers the existing queue if there is one
