"""Shared fixtures: one moto server per test session, tables from template.yaml, accounts (helpers that
tests import are in tests/support/).

Every test records the DynamoDB operations its thread issues and fails if one is a Scan.
"""

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ringbridge import clock, settings
from ringbridge_tools.local import dynamodb_calls, netguard, stack
from tests.support.dynamodb import dynamodb_hook
from tests.support.network import RefusedConnections, free_port
from tests.support.tenants import Tenant, make_tenant


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


@pytest.fixture(scope="session", autouse=True)
def loopback_only(tmp_path_factory: pytest.TempPathFactory) -> RefusedConnections:
    """No test reaches outside this machine: see ringbridge_tools.local.netguard (subprocesses inherit it)."""
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


@pytest.fixture(autouse=True)
def fresh_settings() -> None:
    """Each test starts from the environment as it is: settings.current() keeps what it read first (once per
    cold start in Lambda). A test that changes the environment after its first request calls settings.reload()."""
    settings.reload()


@pytest.fixture
def ordered_clock() -> Iterator[clock.ManualTime]:
    """A clock that moves 1 ms at each reading: writes made one after another never tie on a timestamp or id."""
    with clock.manual(step=timedelta(milliseconds=1)) as time:
        yield time


@pytest.fixture(autouse=True)
def no_scan() -> Iterator[list[str]]:
    """The DynamoDB operations of this test's thread; a Scan anywhere fails the test."""
    log = dynamodb_calls.start()
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


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant("UA")


@pytest.fixture
def other_tenant() -> Tenant:
    return make_tenant("US", "Other account")
