"""Fixtures shared by integration tests: a fake Ringostat and configured accounts (the sync and the push);
a fake RingCloud, its keys, configured accounts and a clock the tests move (the RingCloud tests); a file
server and a call activity (the recording tests); the functions' log at DEBUG (the secrets tests)."""

import contextlib
import io
import logging
import uuid
from collections.abc import Callable, Iterator

import pytest

from ringbridge import aws, clock, ringcloud_client, settings
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge.dal.registry import RINGOSTAT
from ringbridge.errors import NotFound
from ringbridge.logic import ringcloud, ringostat_config
from ringbridge.observability import logger
from ringbridge_tools.fakes.ringcloud import FakeRingcloud
from ringbridge_tools.fakes.ringostat import FakeRingostat
from tests.audio_server import serving
from tests.support.api import call
from tests.support.ringcloud import FakeClock, Keys
from tests.support.ringostat import RINGOSTAT_LINK
from tests.support.tenants import Tenant


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """What the functions' logger writes, at DEBUG, for the length of the test."""
    stream = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
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
    settings.reload()
    yield server
    server.stop()


@pytest.fixture
def configure(ringostat_server) -> Iterator[Callable[..., None]]:
    """Configure an account for Ringostat (and the fake to know its key); unregistered afterwards."""
    configured: list[str] = []

    def configure_account(tenant: Tenant, project_id: int, auth_key: str, known_key: str | None = None) -> None:
        ringostat_server.add_project(project_id, known_key or auth_key)
        ringostat_config.configure(tenant.account_id, project_id, auth_key, "ringbridge", RINGOSTAT_LINK)
        configured.append(tenant.account_id)

    yield configure_account
    for account_id in configured:  # later tests (and other suites' runs) must not sync these accounts
        aws.dynamodb().delete_item(TableName=table.name(), Key=table.key(RINGOSTAT, account_id))


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


# --- RingCloud ---


@pytest.fixture
def fake_clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake.now)
    monkeypatch.setattr(clock, "monotonic", fake.monotonic)
    monkeypatch.setattr(clock, "sleep", fake.sleep)
    monkeypatch.setattr(ringcloud_client, "_last_request", {})
    return fake


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def fake(monkeypatch, fake_clock, keys) -> Iterator[FakeRingcloud]:
    server = FakeRingcloud().start()
    server.add_key(keys.ro, keys.ro_password, "RO")
    server.add_key(keys.rw, keys.rw_password, "RW")
    server.users = [
        {"account_id": 4242, "num": "101", "user": "olena101", "voice_mail_box": "off", "mail": None},
        {"account_id": 4242, "num": "102", "user": "taras102", "voice_mail_box": "off", "mail": None},
    ]
    monkeypatch.setenv("RINGCLOUD_BASE_URL", server.base_url)
    settings.reload()
    yield server
    server.stop()


@pytest.fixture
def configure_ringcloud(fake, keys) -> Iterator:
    """Configure an account for RingCloud with the fake's keys; removed afterwards.

    The registry starts empty: an import runs every registered account, least recently run first, so an
    account another test left registered would run first, and a test's first account would not be its own.
    """
    for account_id in ringcloud_dal.configured_accounts():
        ringcloud_dal.delete_config(account_id)
    configured: list[str] = []

    def configure_account(tenant: Tenant, **options) -> None:
        options = {"rw_api_key": keys.rw, "rw_password": keys.rw_password, **options}
        api_key, password = options.pop("api_key", keys.ro), options.pop("password", keys.ro_password)
        ringcloud.configure(tenant.account_id, api_key, password, **options)
        configured.append(tenant.account_id)

    yield configure_account
    for account_id in configured:  # later runs must not import these accounts
        with contextlib.suppress(NotFound):
            ringcloud.remove(account_id)
