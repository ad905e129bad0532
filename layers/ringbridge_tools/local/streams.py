"""Lambda's DynamoDB event source mappings, locally: poll a table's stream and invoke the function.

Each ``Type: DynamoDB`` event of a function in template.yaml gets a poller that reads the table's
stream in the emulator (moto keeps one shard per table) and does what the mapping does in AWS:

- records that match none of the ``FilterCriteria`` patterns are dropped, before batching;
- the function gets up to ``BatchSize`` records, as soon as that many wait or the oldest waiting
  record has waited ``MaximumBatchingWindowInSeconds``; one batch at a time, in stream order;
- with ``ReportBatchItemFailures``, the batch is retried from the first record the function reports
  failed (the records after it too, so that an item's changes keep their order);
- when the function raises, the batch is retried whole, or split in two halves retried one after
  the other with ``BisectBatchOnFunctionError``;
- every retry waits (1 s, 2 s, 4 s ... at most 30 s) and counts against ``MaximumRetryAttempts``;
  past it, a description of the records (not the records) goes to the ``OnFailure`` SQS queue, as
  Lambda writes it, and the poller moves on.

``MaximumRecordAgeInSeconds`` and ``ParallelizationFactor`` are not emulated (one shard, one batch at a time).
"""

import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from ringbridge_tools.local import lambdas, template

FUNCTION_ERROR = -1  # _invoke's answer when the function raised (else: the first failed record's position)
MAX_RETRY_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class EventSourceMapping:
    """One ``Type: DynamoDB`` event of template.yaml, with SAM's defaults where it is silent."""

    function: template.Function
    table: str  # the local table name
    patterns: tuple[dict[str, Any], ...]
    batch_size: int = 100
    window_seconds: float = 0.0
    max_retries: int = -1  # -1: retry until the record expires (here: forever)
    bisect: bool = False
    report_item_failures: bool = False
    on_failure_queue: str | None = None  # the local queue name


def mappings() -> list[EventSourceMapping]:
    functions = template.functions()
    found = []
    for logical_id, resource in template.resources("AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] != "DynamoDB":
                continue
            props = event["Properties"]
            destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            found.append(
                EventSourceMapping(
                    function=functions[logical_id],
                    table=template.local_name(props["Stream"]["Fn::GetAtt"][0]),
                    patterns=tuple(
                        json.loads(each["Pattern"]) for each in props.get("FilterCriteria", {}).get("Filters", [])
                    ),
                    batch_size=int(props.get("BatchSize", 100)),
                    window_seconds=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                    max_retries=int(props.get("MaximumRetryAttempts", -1)),
                    bisect=bool(props.get("BisectBatchOnFunctionError", False)),
                    report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                    on_failure_queue=template.local_name(destination["Fn::GetAtt"][0]) if destination else None,
                )
            )
    return found


# --- Lambda's filter rule syntax (the operators a DynamoDB filter may use) ---


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether ``event`` matches a filter pattern: every named field meets one of its conditions."""
    for name, rule in pattern.items():
        present = name in event
        value = event.get(name)
        if isinstance(rule, dict):
            if not matches(rule, value if isinstance(value, dict) else {}):
                return False
        elif not any(_meets(condition, present, value) for condition in rule):
            return False
    return True


def _meets(condition: Any, present: bool, value: Any) -> bool:
    if not isinstance(condition, dict):
        return present and value == condition
    [(operator, argument)] = condition.items()
    if operator == "exists":
        return present is argument
    if not present:
        return False
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(argument)
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(argument)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == argument.casefold()
    if operator == "anything-but":
        return value not in (argument if isinstance(argument, list) else [argument])
    raise ValueError(f"filter operator {operator!r} is not emulated")


# --- the poller ---


class StreamPoller:
    """Reads one table's stream from where it is now and delivers its records as ``mapping`` says."""

    def __init__(
        self,
        mapping: EventSourceMapping,
        *,
        retry_seconds: float = 1.0,
        observe: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> None:
        self.mapping = mapping
        self.retry_seconds = retry_seconds
        self._stop = threading.Event()  # set by run()'s caller: a retry's wait ends at once
        self._observe = observe  # sees each invocation's records (tests, the bench)
        self._streams = boto3.client("dynamodbstreams")
        table = boto3.client("dynamodb").describe_table(TableName=mapping.table)["Table"]
        if "LatestStreamArn" not in table:
            raise ValueError(f"table {mapping.table} has no stream")
        self.stream_arn: str = table["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self._shard_id: str = shards[0]["ShardId"]
        self._iterator: str = self._streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=self._shard_id, ShardIteratorType="LATEST"
        )["ShardIterator"]
        self._waiting: list[tuple[float, dict[str, Any]]] = []  # (when it was read, the record)

    def poll(self, now: float | None = None, flush: bool = False) -> int:
        """Read what the stream has and deliver the batches that are due (all, with ``flush``).

        Answers how many records were read; ``now`` is a time.monotonic() reading (tests give their own).
        """
        answer = self._streams.get_records(ShardIterator=self._iterator, Limit=1000)
        self._iterator = answer["NextShardIterator"]
        read_at = time.monotonic() if now is None else now
        for record in answer["Records"]:
            event_record = self._lambda_record(record)
            if not self.mapping.patterns or any(matches(p, event_record) for p in self.mapping.patterns):
                self._waiting.append((read_at, event_record))
        while self._waiting and (
            flush
            or len(self._waiting) >= self.mapping.batch_size
            or read_at - self._waiting[0][0] >= self.mapping.window_seconds
        ):
            self._deliver(self._take_batch())
        return len(answer["Records"])

    def drain(self) -> None:
        """Read everything the stream has and deliver it now, whatever the window (tests, the CLI)."""
        while self.poll(flush=True):
            pass

    def run(self, stop: threading.Event, idle_seconds: float = 0.1) -> None:
        self._stop = stop
        while not stop.is_set():
            try:
                read = self.poll()
            except Exception as error:  # the emulator stopping, a bad answer: report, and keep polling
                print(f"stream poller of {self.mapping.function.logical_id}: {error}", file=sys.stderr, flush=True)
                read = 0
            if not read:
                stop.wait(idle_seconds)

    def _take_batch(self) -> list[dict[str, Any]]:
        batch = [record for _, record in self._waiting[: self.mapping.batch_size]]
        del self._waiting[: self.mapping.batch_size]
        return batch

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A GetRecords record as Lambda hands it to a function."""
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**record, "dynamodb": dynamodb, "eventSourceARN": self.stream_arn}

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        pending = [(records, 0)]  # (records, retries so far), in stream order
        while pending:
            batch, retries = pending.pop(0)
            failed_from = self._invoke(batch)
            if failed_from is None:
                continue
            if failed_from == FUNCTION_ERROR and self.mapping.bisect and len(batch) > 1:
                half = len(batch) // 2
                retry = [(batch[:half], retries + 1), (batch[half:], retries + 1)]
            else:
                retry = [(batch[max(failed_from, 0) :], retries + 1)]
            if 0 <= self.mapping.max_retries <= retries:
                self._give_up(batch[max(failed_from, 0) :], retries + 1)
                continue
            if self._stop.wait(min(MAX_RETRY_WAIT_SECONDS, self.retry_seconds * 2**retries)):
                return  # stopping: what is left is not delivered (a restarted poller reads from the latest record)
            pending[0:0] = retry

    def _invoke(self, batch: list[dict[str, Any]]) -> int | None:
        """None if every record was handled; else the position to retry from, or FUNCTION_ERROR."""
        if self._observe is not None:
            self._observe(batch)
        try:
            response = lambdas.invoke(self.mapping.function, {"Records": batch})
        except Exception as error:
            name = self.mapping.function.logical_id
            print(f"{name} failed on {len(batch)} stream records: {error!r}", file=sys.stderr, flush=True)
            return FUNCTION_ERROR
        failures = response.get("batchItemFailures") if isinstance(response, dict) else None
        if not self.mapping.report_item_failures or not failures:
            return None
        positions = {record["dynamodb"]["SequenceNumber"]: n for n, record in enumerate(batch)}
        failed = [positions.get(failure.get("itemIdentifier")) for failure in failures]
        # An identifier that names no record of the batch fails the whole batch, as in Lambda.
        return 0 if None in failed else min(position for position in failed if position is not None)

    def _give_up(self, batch: list[dict[str, Any]], invocations: int) -> None:
        name = self.mapping.function.logical_id
        print(f"{name}: {len(batch)} stream records dropped after {invocations} attempts", file=sys.stderr, flush=True)
        if self.mapping.on_failure_queue is None:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        record = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        sqs = boto3.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=self.mapping.on_failure_queue)["QueueUrl"]
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))


def start(stop: threading.Event) -> list[threading.Thread]:
    """A polling thread per event source mapping of the template, reading from now on; they end with ``stop``."""
    threads = []
    for mapping in mappings():
        try:
            poller = StreamPoller(mapping)
        except ValueError as error:  # e.g. an external emulator without streams
            print(f"{mapping.function.logical_id} gets no stream events: {error}", file=sys.stderr, flush=True)
            continue
        thread = threading.Thread(
            target=poller.run, args=(stop,), name=f"stream-{mapping.function.logical_id}", daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads
