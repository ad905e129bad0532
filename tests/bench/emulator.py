"""One moto server for the whole bench run, with the template's tables, emptied between sections."""

import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from ringbridge import aws, clock, ids, settings
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import table
from ringbridge.dal.items import ContactItem
from ringbridge_tools.local import stack


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@cache
def start() -> str:
    endpoint = f"http://127.0.0.1:{_free_port()}"
    stack.start_emulator(int(endpoint.rsplit(":", 1)[1]))
    stack.use_endpoint(endpoint)
    os.environ.update(stack.function_environment())
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    settings.reload()  # the functions read their settings once
    stack.create_resources()
    return endpoint


def reset() -> None:
    """Empty the emulator (moto's reset API) and create the template's resources again.

    moto's cost per request grows with the table (a Query sorts every item, a transaction copies
    the tables), so each section starts from an empty table rather than after the others' data.
    """
    import requests

    requests.post(f"{start()}/moto-api/reset", timeout=60).raise_for_status()
    stack.create_resources()


def index_base_table_queries() -> None:
    """Make the emulator's base-table Query read only the key's partition, as DynamoDB does.

    moto answers a Query by sorting every item of the table and filtering on the key, so its
    latency grows with the table while DynamoDB's does not. This patches the emulator (never
    ringbridge) for size-scaling measurements; the README says so beside the numbers.
    """
    from moto.dynamodb.models.table import Table

    original = _original_query()

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("index_name") or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        view = _PartitionView(self, partition)
        return original(view, hash_key, *args, **kwargs)

    Table.query = query  # type: ignore[method-assign]


@cache
def _original_query() -> Callable[..., Any]:
    from moto.dynamodb.models.table import Table

    return Table.query


def restore_base_table_queries() -> None:
    from moto.dynamodb.models.table import Table

    Table.query = _original_query()  # type: ignore[method-assign]


class _PartitionView:
    """The table as its query code sees it, with all_items() limited to one partition."""

    def __init__(self, table: object, partition: list) -> None:
        self._table, self._partition = table, partition

    def all_items(self) -> list:
        return self._partition

    def __getattr__(self, name: str) -> object:
        return getattr(self._table, name)


def phone_number(index: int) -> str:
    return f"+38067{index:07d}"


def seed_contacts(account_id: str, start: int, stop: int) -> None:
    """Contacts ``start``..``stop`` written exactly as CreateContact stores them (item + phone copy),
    with batch writes: creating 100,000 contacts one request at a time would take the emulator hours."""

    def write(batch: range) -> None:
        items = []
        for index in batch:
            now = clock.now_iso()
            number = phone_number(index)
            contact: ContactItem = {
                "id": ids.new_id(),
                "first_name": f"Bench {index}",
                "emails": [],
                "version": 1,
                "phones": [{"number": number, "type": "mobile", "e164": number}],
                "created_at": now,
                "updated_at": now,
            }
            items += [put["Put"]["Item"] for put in contacts_dal.contact_puts(account_id, contact, None)]
        for offset in range(0, len(items), 25):
            request = {table.name(): [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]}
            while request:
                request = aws.dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems")

    chunks = [range(begin, min(begin + 500, stop)) for begin in range(start, stop, 500)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, chunks))
