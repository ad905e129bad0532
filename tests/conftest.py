"""Shared fixtures: one moto server per test session, tables from template.yaml, accounts, calls.

Every test records the DynamoDB operations its thread issues and fails if one is a Scan.
"""

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ringbridge import aws, clock
from ringbridge.dal import table
from ringbridge.local import calls, netguard, stack


@contextlib.contextmanager
def dynamodb_hook(event: str, handler: Any) -> Iterator[None]:
    """``handler`` on ringbridge's DynamoDB client's botocore ``event`` for the block: to read what a
    request asks, or to make DynamoDB's answer what it would be under a race or throttling."""
    hooks = aws.dynamodb().meta.events
    hooks.register(event, handler)
    try:
        yield
    finally:
        hooks.unregister(event, handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make mutate`, a mutant's test files run fastest first, each whole and in the order it is
    written: mutmut stops at the first failure, which is then found in seconds, not after most of the
    400 tests that reach a token check. (mutmut passes the tests in no fixed order; its first run timed
    them.) Files stay whole so that a module's fixtures are set up once."""
    stats = Path("mutmut-stats.json")
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", "") or not stats.exists():
        return
    durations = json.loads(stats.read_text())["duration_by_test"]
    by_file: dict[str, list[float]] = {}
    for item in items:
        by_file.setdefault(str(item.path), []).append(durations.get(item.nodeid, 0.0))
    mean = {name: sum(times) / len(times) for name, times in by_file.items()}
    items.sort(key=lambda item: (mean[str(item.path)], str(item.path), item.location[1] or 0))


def account_items(account_id: str) -> list[dict[str, Any]]:
    """Every item of the account's partition: what a refused request must leave unchanged."""
    answer = aws.dynamodb().query(
        TableName=table.name(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": table.account_pk(account_id)}},
        ConsistentRead=True,
    )
    return answer["Items"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RefusedConnections:
    """The guard's log of connections off this machine, from this process and the commands it started."""

    log: Path
    seen: int = 0

    def take(self) -> list[str]:
        """The attempts logged since the last take (a test that makes one on purpose takes it)."""
        text = self.log.read_text()
        new, self.seen = text[self.seen :], len(text)
        return new.splitlines()


@pytest.fixture(scope="session", autouse=True)
def loopback_only(tmp_path_factory: pytest.TempPathFactory) -> RefusedConnections:
    """No test reaches outside this machine: see ringbridge.local.netguard (subprocesses inherit it)."""
    log = tmp_path_factory.mktemp("netguard") / "refused.log"
    log.touch()
    netguard.install(log)
    return RefusedConnections(log)


@pytest.fixture(autouse=True)
def refused_connections(loopback_only: RefusedConnections) -> Iterator[RefusedConnections]:
    """Fails the test during which anything tried to connect off this machine."""
    yield loopback_only
    assert loopback_only.take() == [], "a connection off this machine was attempted"


@pytest.fixture(scope="session", autouse=True)
def emulator() -> Iterator[str]:
    port = free_port()
    server = stack.start_emulator(port)
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its state in module globals: a session forked from another (`make mutate` runs
    # pytest once per mutant, in processes forked from its first run) would start with all of that
    # run's items, and moto's Query reads the whole table. Each session starts from an empty one.
    requests.post(f"{endpoint}/moto-api/reset", timeout=60).raise_for_status()
    stack.use_endpoint(endpoint)
    os.environ.update(stack.function_environment())
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    stack.create_resources()
    yield endpoint
    requests.post(f"{endpoint}/moto-api/reset", timeout=60).raise_for_status()  # frees what the session stored
    server.stop()


@pytest.fixture
def ordered_clock() -> Iterator[clock.ManualTime]:
    """A clock that moves 1 ms at each reading: writes made one after another never tie on a timestamp or id."""
    with clock.manual(step=timedelta(milliseconds=1)) as time:
        yield time


@pytest.fixture(autouse=True)
def no_scan() -> Iterator[list[str]]:
    """The DynamoDB operations of this test's thread; a Scan anywhere fails the test."""
    log = calls.start()
    yield log
    assert "Scan" not in log, f"a request path issued a DynamoDB Scan: {log}"


@pytest.fixture(autouse=True)
def consistent_point_reads() -> Iterator[list[str]]:
    """Every GetItem and BatchGetItem a function makes is strongly consistent: ours read an item to
    write over it, or to answer right after a write, where DynamoDB's default (eventually consistent)
    could read a stale version. The emulator always reads the latest, so the request is what is checked:
    every one made through ringbridge's client, whether by a function, the admin CLI or a test."""
    eventual: list[str] = []

    def check(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            consistent = [params.get("ConsistentRead")]
        elif model.name == "BatchGetItem":
            consistent = [request.get("ConsistentRead") for request in params["RequestItems"].values()]
        else:
            return
        if not all(value is True for value in consistent):
            eventual.append(f"{model.name} {params}")

    with dynamodb_hook("before-parameter-build.dynamodb", check):
        yield eventual
    assert eventual == [], "an eventually consistent point read"


@dataclass
class Tenant:
    account_id: str
    region: str
    rw_token: str
    ro_token: str
    user_id: str


def make_tenant(region: str = "UA", name: str = "Test account") -> Tenant:
    from ringbridge.logic import accounts

    account = accounts.create_account(name, region)
    user = accounts.create_user(account.id, "Olena Petrenko", "olena@example.com", extension="101")
    _, rw = accounts.create_token(account.id, "rw")
    _, ro = accounts.create_token(account.id, "ro")
    return Tenant(account.id, region, rw, ro, user.id)


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant("UA")


@pytest.fixture
def other_tenant() -> Tenant:
    return make_tenant("US", "Other account")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def call(
    method: str,
    path: str,
    token: str | None = None,
    *,
    json_body: Any = None,
    body: bytes | str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    function_url: bool = False,
) -> Answer:
    """Invoke the function that serves ``method path`` in this process, with an HTTP API event."""
    import json

    from ringbridge.local import lambdas

    found = lambdas.route(method, path)
    assert found, f"no function serves {method} {path}"
    function, route = found
    all_headers = {"content-type": "application/json"} if (json_body is not None or body is not None) else {}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    payload = json.dumps(json_body) if json_body is not None else body
    event = lambdas.http_event(
        method, path, query=query, headers=all_headers, body=payload, route_path=route.path, function_url=function_url
    )
    response = lambdas.invoke(function, event)
    text = response.get("body") or ""
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return Answer(response["statusCode"], {k.lower(): v for k, v in (response.get("headers") or {}).items()}, parsed)
