"""The local stack calls a real vendor only when told to; the tests cannot reach outside the machine.

The vendor resolution (ringbridge_tools.local.vendors) runs here in-process, as ``serve`` runs it before
each invocation: the real click-to-call handler through ``lambdas.invoke``, a fake RingCloud on
127.0.0.1. The network guard (ringbridge_tools.local.netguard) is the one the whole session runs under.
"""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ringbridge import clock, ringcloud_client
from ringbridge.logic import ringcloud
from ringbridge.ringostat_client import Rejected, RingostatClient
from ringbridge.settings import Ringcloud, Ringostat
from ringbridge_tools.fakes import ringcloud as fake_ringcloud
from ringbridge_tools.local import netguard, stack, state, template, vendors
from tests.support.api import call
from tests.support.network import RefusedConnections
from tests.support.tenants import Tenant

RINGCLOUD, RINGOSTAT = vendors.VENDORS
CALL = {"user_id": "101", "number": "+380 44 111 11 11"}


@pytest.fixture
def local_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This process as a local command on a new state dir, with no vendor URL exported; undone after."""
    for vendor in vendors.VENDORS:
        monkeypatch.delenv(vendor.variable, raising=False)
    monkeypatch.setattr(vendors, "_local", None)
    monkeypatch.setattr(ringcloud_client, "_last_request", {})  # other tests' requests with the demo keys
    yield tmp_path


@pytest.fixture
def configured(tenant: Tenant) -> Iterator[Tenant]:
    """The tenant with RingCloud configured with the fake's demo keys (configuring calls no vendor)."""
    keys = fake_ringcloud.DEMO_KEY, fake_ringcloud.DEMO_PASSWORD
    ringcloud.configure(
        tenant.account_id, *keys, rw_api_key=fake_ringcloud.DEMO_RW_KEY, rw_password=fake_ringcloud.DEMO_RW_PASSWORD
    )
    yield tenant
    ringcloud.remove(tenant.account_id)


@pytest.fixture
def fake() -> Iterator[fake_ringcloud.FakeRingcloud]:
    server = fake_ringcloud.seeded().start()
    yield server
    server.stop()


def test_without_a_fake_or_an_exported_url_the_call_is_refused_saying_how_to_opt_in(
    local_command: Path, configured: Tenant, refused_connections: RefusedConnections
) -> None:
    # Given a local command with no fake registered and no RINGCLOUD_BASE_URL exported
    vendors.use(local_command)

    # When click-to-call runs
    answer = call("POST", "/ringcloud/calls", configured.rw_token, json_body=CALL)

    # Then it is refused with how to start the fake or opt in, and nothing tried to leave the machine
    assert answer.status == 502, answer.body
    message = answer.body["error"]["message"]
    assert "`ringbridge fake ringcloud`" in message
    assert "export RINGCLOUD_BASE_URL=https://api.ringcloud.ru" in message
    assert refused_connections.take() == []


def test_a_fake_started_after_the_command_gets_its_next_invocation(
    local_command: Path, configured: Tenant, fake: fake_ringcloud.FakeRingcloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a local command that started before any fake (its first request is refused)
    vendors.use(local_command)
    assert call("POST", "/ringcloud/calls", configured.rw_token, json_body=CALL).status == 502

    # When `ringbridge fake ringcloud` registers, a little later
    with clock.manual() as time:
        monkeypatch.setattr(clock, "sleep", time.advance)
        time.advance(10)
        state.register_fake(local_command, "ringcloud", fake.base_url)
        answer = call("POST", "/ringcloud/calls", configured.rw_token, json_body=CALL)

    # Then the next invocation's request reaches it
    assert answer.status == 202, answer.body
    assert [params["num"] for params in fake.originations] == ["380441111111"]


def test_an_exported_url_wins_over_a_registered_fake(local_command: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGCLOUD_BASE_URL", "http://127.0.0.1:7001")
    state.register_fake(local_command, "ringcloud", "http://127.0.0.1:7002")
    vendors.use(local_command)
    vendors.apply()
    assert os.environ["RINGCLOUD_BASE_URL"] == "http://127.0.0.1:7001"


def test_a_registered_fake_wins_over_the_templates_real_host(local_command: Path) -> None:
    # The template gives the functions RingCloud's real host; the local stack's environment leaves it out
    environments = [function.environment for function in template.functions().values()]
    assert any(env.get("RINGCLOUD_BASE_URL") == "https://api.ringcloud.ru" for env in environments)
    assert vendors.VARIABLES.isdisjoint(stack.function_environment())

    state.register_fake(local_command, "ringcloud", "http://127.0.0.1:7002")
    os.environ.update(stack.function_environment())
    vendors.use(local_command)
    assert os.environ["RINGCLOUD_BASE_URL"] == "http://127.0.0.1:7002"


def test_a_url_the_command_set_itself_is_not_taken_for_an_exported_one(local_command: Path) -> None:
    # Given a fake that was registered when the command connected, and has stopped since
    state.register_fake(local_command, "ringcloud", "http://127.0.0.1:7002")
    vendors.use(local_command)
    state.unregister_fake(local_command, "ringcloud")

    # When the command connects again (admin and invoke connect once; tests run many in one process)
    vendors.use(local_command)

    # Then the stopped fake's URL is gone: the requests are refused
    assert os.environ["RINGCLOUD_BASE_URL"] == vendors.base_url(RINGCLOUD)
    assert requests.get(os.environ["RINGCLOUD_BASE_URL"] + "/v1/users", timeout=5).status_code == 421


def test_ringostat_pushes_without_a_fake_are_rejected_saying_how_to_opt_in(local_command: Path) -> None:
    vendors.use(local_command)
    client = RingostatClient(requests.Session(), os.environ["RINGOSTAT_BASE_URL"], 601, "the-auth-key")
    with pytest.raises(Rejected) as rejected:
        client.sync_contacts([{"fullName": "Lesya Ukrainka"}], timeout=5)
    assert "HTTP 421" in str(rejected.value)
    assert "`ringbridge fake ringostat`" in str(rejected.value)
    assert "export RINGOSTAT_BASE_URL=https://api.ringostat.net" in str(rejected.value)


def test_the_refusals_name_the_real_hosts_the_functions_would_call() -> None:
    assert RINGCLOUD.real_url == Ringcloud().base_url
    assert RINGOSTAT.real_url == Ringostat().base_url
    for vendor in vendors.VENDORS:  # the clients keep 200 characters of an error's text
        assert len(vendor.refusal()) <= 200


# --- the network guard ---


@pytest.mark.parametrize(
    ("address", "stays"),
    [
        (("127.0.0.1", 80), True),
        (("127.255.255.255", 80), True),
        (("128.0.0.1", 80), False),
        (("126.255.255.255", 80), False),
        (("::1", 80, 0, 0), True),
        (("::2", 80, 0, 0), False),
        (("::ffff:127.0.0.1", 80, 0, 0), True),
        (("::ffff:192.0.2.1", 80, 0, 0), False),
        (("localhost", 80), True),
        (("api.ringcloud.ru", 443), False),
        ("/run/some.sock", True),
    ],
)
def test_only_loopback_addresses_stay_on_this_machine(address: object, stays: bool) -> None:
    assert netguard.is_loopback(address) is stays


def test_the_guard_stops_a_connection_off_this_machine_in_this_process(refused_connections: RefusedConnections) -> None:
    with pytest.raises(netguard.OffMachineConnection), socket.socket() as sock:
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1: routed nowhere
    assert refused_connections.take() == [f"pid {os.getpid()}: connect to ('192.0.2.1', 9)"]


def test_the_guard_stops_a_connection_off_this_machine_in_a_command_a_test_starts(
    refused_connections: RefusedConnections,
) -> None:
    # Given the `ringbridge` command pointed at a DynamoDB off this machine
    environment = {**os.environ, "AWS_ENDPOINT_URL": "http://192.0.2.1:9", "AWS_MAX_ATTEMPTS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "ringbridge_tools.cli", "admin", "--table", "t", "list-tokens", "01NOSUCHACCOUNT"],
        cwd=template.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then its connection is refused by the guard it installed, and reported to this session's log
    assert done.returncode == 1
    assert "tried to connect off this machine, to ('192.0.2.1', 9)" in done.stderr
    attempts = refused_connections.take()
    assert attempts, "the command's attempt was not reported"
    for attempt in attempts:  # botocore may try more than once
        assert attempt.endswith("connect to ('192.0.2.1', 9)") and not attempt.startswith(f"pid {os.getpid()}:")
