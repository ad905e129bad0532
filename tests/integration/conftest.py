"""Fixtures shared by integration tests: a fake Ringostat and configured accounts (the sync and the push);
a file server and a call activity (the recording tests); the functions' log at DEBUG (the secrets tests)."""

import io
import uuid
from collections.abc import Callable, Iterator

import pytest

from ringbridge import aws
from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.dal import table
from ringbridge.local.fakes.ringostat import FakeRingostat
from ringbridge.logic import ringostat
from ringbridge.observability import logger
from tests.audio_server import serving
from tests.conftest import Tenant, call

RINGOSTAT_LINK = "https://crm.example.com/contacts/{id}"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """What the functions' logger writes, at DEBUG, for the length of the test."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous_stream, previous_level = handler.stream, logger.log_level
    # Assigned, not setStream: that flushes the old stream, which an earlier pytest session in the
    # same process (mutmut runs several) may have closed.
    handler.stream = stream
    logger.setLevel("DEBUG")
    yield stream
    handler.stream = previous_stream
    logger.setLevel(previous_level)


@pytest.fixture
def ringostat_server(monkeypatch) -> Iterator[FakeRingostat]:
    """A fake Ringostat the functions call, with no safety lag and quick retries."""
    server = FakeRingostat().start()
    monkeypatch.setenv("RINGOSTAT_BASE_URL", server.base_url)
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "0")
    monkeypatch.setenv("RINGOSTAT_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("RINGOSTAT_TIMEOUT_SECONDS", "0.5")
    yield server
    server.stop()


@pytest.fixture
def configure(ringostat_server) -> Iterator[Callable[..., None]]:
    """Configure an account for Ringostat (and the fake to know its key); unregistered afterwards."""
    configured: list[str] = []

    def configure_account(tenant: Tenant, project_id: int, auth_key: str, known_key: str | None = None) -> None:
        ringostat_server.add_project(project_id, known_key or auth_key)
        ringostat.configure(tenant.account_id, project_id, auth_key, "ringbridge", RINGOSTAT_LINK)
        configured.append(tenant.account_id)

    yield configure_account
    for account_id in configured:  # later tests (and other suites' runs) must not sync these accounts
        aws.dynamodb().delete_item(TableName=table.name(), Key=table.key(ringostat_dal.REGISTRY_PK, account_id))


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    """A local file server of audio (and of broken answers) for recording downloads."""
    with serving() as base_url:
        yield base_url


@pytest.fixture
def activity(tenant: Tenant) -> dict:
    """A call just started, to attach recordings to."""
    body = {"call_id": f"rec-{uuid.uuid4().hex}", "direction": "inbound", "caller_number": "380441111111"}
    answer = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    assert answer.status == 201, answer.body
    return answer.body
