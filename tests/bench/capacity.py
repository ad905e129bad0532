"""DynamoDB's request units of every request a block of code makes, computed by DynamoDB's own rules.

The rules (DynamoDB's developer guide, "Item sizes and formats" and "Read/write capacity mode"):

- an item's size is the UTF-8 length of each attribute's name plus its value's size: a string its UTF-8
  length, a number about one byte per two significant digits plus one, binary its length, a boolean or null
  one byte, a list or map 3 bytes plus one per element plus the elements (a map's keys as names);
- a write takes one unit per KB (1,024 bytes) of the larger of the item before and after, rounded up (at
  least one, a failed conditional write too); a strongly consistent read one unit per 4 KB, an eventually
  consistent one half that; a Query rounds the total of the items it reads (before any filter) up to 4 KB;
  an item that is not there still costs one read (half, eventually consistent);
- a transaction's every item costs twice that (TransactWriteItems, TransactGetItems);
- every global secondary index an item is or was in takes its own write of the index entry (the table's and
  the index's keys, the projected attributes, plus 100 bytes): one to add, update or remove it, two when the
  index key changes; none when no key or projected attribute changed.

``Recorder`` follows every DynamoDB request of the product's client (botocore's events) and reads the items
before and after each write with a client of its own, so the sizes are the stored items'. It also asks the
emulator for its ConsumedCapacity, to compare where the emulator reports it.
"""

import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3

from ringbridge import aws
from ringbridge_tools.local import template

KB = 1024
READ_BLOCK = 4 * KB
INDEX_ENTRY_OVERHEAD = 100
_TABLE_KEYS = ("PK", "SK")


def value_size(value: dict[str, Any]) -> int:
    """The size of one attribute value in DynamoDB's JSON form ({"S": ...}, {"N": ...}, ...)."""
    [(kind, content)] = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(text.encode()) for text in content)
    if kind == "NS":
        return sum(_number_size(number) for number in content)
    if kind == "BS":
        return sum(len(blob) for blob in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    assert kind == "M", kind
    return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in content.items())


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    negative = 1 if text.lstrip().startswith("-") else 0
    return math.ceil(len(digits) / 2) + 1 + negative


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def write_units(before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    return max(1, math.ceil(max(item_size(before), item_size(after)) / KB))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_BLOCK))
    return units if consistent else units / 2


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projected: tuple[str, ...] | None  # None: every attribute (ProjectionType ALL)

    def entry(self, item: dict[str, Any] | None) -> dict[str, Any] | None:
        """The index's entry for ``item``, or None when the item is not in the index (a key attribute missing)."""
        if item is None or any(key not in item for key in self.keys):
            return None
        if self.projected is None:
            return item
        return {name: value for name, value in item.items() if name in (*_TABLE_KEYS, *self.keys, *self.projected)}

    def writes(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
        """Write units this index takes for the item going from ``before`` to ``after``."""
        old, new = self.entry(before), self.entry(after)
        if old == new:
            return 0
        units = lambda entry: math.ceil((item_size(entry) + INDEX_ENTRY_OVERHEAD) / KB)  # noqa: E731
        if old is None or new is None:
            return units(old or new)
        if any(old[key] != new[key] for key in self.keys):
            return units(old) + units(new)  # the entry moves: a delete and a put
        return max(units(old), units(new))


def indexes() -> list[Index]:
    table = template.load()["Resources"]["Table"]["Properties"]
    found = []
    for index in table.get("GlobalSecondaryIndexes", []):
        projection = index["Projection"]
        projected = None if projection["ProjectionType"] == "ALL" else tuple(projection.get("NonKeyAttributes", []))
        found.append(Index(index["IndexName"], tuple(key["AttributeName"] for key in index["KeySchema"]), projected))
    return found


@dataclass
class Request:
    """One DynamoDB request: its operation and the units computed for the table and each index."""

    operation: str
    read: float = 0.0
    write: float = 0.0
    index_writes: dict[str, int] = field(default_factory=dict)
    emulator_units: float | None = None  # the emulator's ConsumedCapacity, where it reports one

    @property
    def units(self) -> float:
        return self.read + self.write


@dataclass
class Recorder:
    """Records every DynamoDB request the product makes inside ``recording()``, with its units."""

    requests: list[Request] = field(default_factory=list)
    _indexes: list[Index] = field(default_factory=indexes)
    _own: Any = field(default_factory=lambda: boto3.client("dynamodb"))
    _pending: threading.local = field(default_factory=threading.local)

    @contextmanager
    def recording(self) -> Iterator[list[Request]]:
        """Record the product's DynamoDB requests made in the block; yields the list they are added to."""
        events = aws.dynamodb().meta.events
        self.requests = []
        handlers = (
            ("provide-client-params.dynamodb", self._before),
            ("after-call.dynamodb", self._after),
        )
        for name, handler in handlers:
            events.register(name, handler)
        try:
            yield self.requests
        finally:
            for name, handler in handlers:
                events.unregister(name, handler)

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
        self._pending.call = (model.name, dict(params), self._items(model.name, params))

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        operation, params, before = self._pending.call
        assert operation == model.name
        request = Request(operation)
        failed = "Error" in parsed
        if operation in ("GetItem", "BatchGetItem", "TransactGetItems"):
            consistent = operation == "TransactGetItems" or _consistent(params)
            twice = 2 if operation == "TransactGetItems" else 1
            request.read = sum(twice * read_units(item_size(item), consistent) for item in before.values())
        elif operation == "Query":
            request.read = self._query_units(params)
        else:  # writes
            after = before if failed else self._items(operation, params)
            twice = 2 if operation == "TransactWriteItems" else 1
            for key, old in before.items():
                new = after.get(key)
                request.write += twice * write_units(old, new)
                for index in self._indexes:
                    if not failed and (units := index.writes(old, new)):
                        request.index_writes[index.name] = request.index_writes.get(index.name, 0) + units
        request.emulator_units = _emulator_units(parsed.get("ConsumedCapacity"))
        self.requests.append(request)

    def _items(self, operation: str, params: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any] | None]:
        """The stored items (full, read with this recorder's own client) that the request names, by key."""
        keys = [_key(key) for key in _keys(operation, params)]
        return {tuple(v["S"] for v in key.values()): self._get(key) for key in keys}

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self._own.get_item(TableName=_table_name(), Key=key, ConsistentRead=True).get("Item")

    def _query_units(self, params: dict[str, Any]) -> float:
        """Units of a Query: the items it reads (before a filter, whole) rounded up to 4 KB as one total."""
        condition = params["KeyConditionExpression"]

        def used(names: dict[str, Any] | None) -> dict[str, Any]:
            return {k: v for k, v in (names or {}).items() if re.search(re.escape(k) + r"\b", condition)}

        request: dict[str, Any] = {
            "TableName": params["TableName"],
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": used(params.get("ExpressionAttributeValues")),
            **{name: params[name] for name in ("IndexName", "ScanIndexForward", "ExclusiveStartKey") if name in params},
        }
        if names := used(params.get("ExpressionAttributeNames")):
            request["ExpressionAttributeNames"] = names
        if "Limit" in params:
            request["Limit"] = params["Limit"]
        items = self._own.query(**request)["Items"]
        consistent = _consistent(params) and "IndexName" not in params
        return read_units(sum(item_size(item) for item in items), consistent)


def _table_name() -> str:
    from ringbridge.dal import table

    return table.name()


def _consistent(params: dict[str, Any]) -> bool:
    if "RequestItems" in params:  # BatchGetItem
        return all(request.get("ConsistentRead", False) for request in params["RequestItems"].values())
    return bool(params.get("ConsistentRead", False))


def _keys(operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    if operation in ("GetItem", "UpdateItem", "DeleteItem"):
        return [params["Key"]]
    if operation == "PutItem":
        return [params["Item"]]
    if operation == "BatchGetItem":
        return [key for request in params["RequestItems"].values() for key in request["Keys"]]
    if operation == "BatchWriteItem":
        return [
            write.get("PutRequest", {}).get("Item") or write["DeleteRequest"]["Key"]
            for writes in params["RequestItems"].values()
            for write in writes
        ]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [action.get("Item") or action["Key"] for entry in params["TransactItems"] for action in entry.values()]
    return []  # Query: read by _query_units


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in _TABLE_KEYS}


def _emulator_units(consumed: Any) -> float | None:
    if isinstance(consumed, list):  # batches and transactions: one per table
        return sum(entry.get("CapacityUnits", 0) for entry in consumed) if consumed else None
    return consumed.get("CapacityUnits") if consumed else None
