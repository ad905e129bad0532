"""The Ringostat sync against the running local stack, through the CLI, to a fake Ringostat on 127.0.0.1."""

import json
from collections.abc import Iterator

import boto3
import pytest

from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.dal.registry import RINGOSTAT
from ringbridge_tools.fakes.ringostat import FakeRingostat
from ringbridge_tools.local import template
from tests.support.local_server import LocalServer, ringbridge

pytestmark = pytest.mark.e2e

AUTH_KEY = "e2e-ringostat-key"


@pytest.fixture
def ringostat_server(monkeypatch) -> Iterator[FakeRingostat]:
    server = FakeRingostat().start()
    # The CLI's environment: the local stack's own variables do not name these, so they reach the function.
    monkeypatch.setenv("RINGOSTAT_BASE_URL", server.base_url)
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "0")
    yield server
    server.stop()


@pytest.fixture
def configured_account(local_server: LocalServer, ringostat_server: FakeRingostat) -> Iterator[dict]:
    demo = local_server.accounts[0]
    ringostat_server.add_project(501, AUTH_KEY)
    yield demo
    # Leave the shared local stack without this configuration (other tests' runs must not sync it).
    dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{local_server.emulator_port}")
    for key in (
        (RINGOSTAT, demo["account_id"]),
        (f"ACCOUNT#{demo['account_id']}", ringostat_dal.CONFIG_SK),
    ):
        dynamodb.delete_item(TableName=template.local_name("Table"), Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}})


def test_configure_then_invoke_syncs_every_demo_contact(local_server, ringostat_server, configured_account):
    demo = configured_account
    state = ["--state-dir", str(local_server.state_dir)]

    # Given the demo account configured for Ringostat with the admin CLI
    configured = ringbridge(
        "admin", "--local", *state, "ringostat-config", demo["account_id"],
        "--project-id", "501", "--auth-key", AUTH_KEY, "--origin", "ringbridge demo",
        "--contact-link", "http://127.0.0.1:3000/contacts/{id}",
    )  # fmt: skip
    assert configured.returncode == 0, configured.stderr
    assert AUTH_KEY not in configured.stdout + configured.stderr

    # When the scheduled event is invoked against the local stack
    invoked = ringbridge("invoke", "RingostatSyncFunction", "events/ringostat/scheduled.json", *state)

    # Then every contact of the account reached Ringostat, valid, and the status says so
    assert invoked.returncode == 0, invoked.stderr
    assert AUTH_KEY not in invoked.stdout + invoked.stderr
    assert ringostat_server.problems == []
    contacts = local_server.request("GET", "/ringotel/contacts", demo["ro_token"], params={"limit": "500"}).json()
    sent = {contact["externalId"] for contact in ringostat_server.accepted("contacts")}
    assert sent == {contact["id"] for contact in contacts["contacts"]}
    status = ringbridge("admin", "--local", *state, "ringostat-status", demo["account_id"])
    assert status.returncode == 0, status.stderr
    [account] = json.loads(status.stdout)
    assert account["config"]["project_id"] == 501
    assert account["status"]["contacts_sent"] == len(sent)
    assert account["status"]["last_error"] is None
