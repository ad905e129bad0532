"""The running local stack and the vendors: refused unless a fake runs or a URL is exported; RingCloud's
limits hold across `ringbridge invoke` processes. The session's network guard proves nothing left the machine."""

import json
from collections.abc import Iterator

import pytest

from ringbridge_tools.fakes import ringcloud as fake
from ringbridge_tools.local import state
from tests.support.local_server import LocalServer, printed_until, ringbridge, running_fake

pytestmark = pytest.mark.e2e

CALL = {"user_id": "101", "number": "+380 44 111 11 11"}


@pytest.fixture
def own_account(local_server: LocalServer) -> dict[str, str]:
    """An account of its own, with user 101 and an rw token: the demo accounts' data is other tests' to count."""
    admin = ["admin", "--local", "--state-dir", str(local_server.state_dir)]
    created = ringbridge(*admin, "create-account", "--name", "Vendors e2e", "--region", "UA")
    account_id = json.loads(created.stdout)["id"]
    assert ringbridge(*admin, "create-user", account_id, "--name", "Olena", "--extension", "101").returncode == 0
    token = json.loads(ringbridge(*admin, "create-token", account_id, "--scope", "rw").stdout)["token"]
    return {"account_id": account_id, "rw_token": token}


@pytest.fixture
def ringcloud_configured(local_server: LocalServer, own_account: dict[str, str]) -> Iterator[dict[str, str]]:
    """The account with RingCloud configured with the fake's demo keys (configuring calls no vendor)."""
    admin = ["admin", "--local", "--state-dir", str(local_server.state_dir)]
    account_id = own_account["account_id"]
    keys = ["--api-key", fake.DEMO_KEY, "--password", fake.DEMO_PASSWORD]
    rw = ["--rw-api-key", fake.DEMO_RW_KEY, "--rw-password", fake.DEMO_RW_PASSWORD]
    configured = ringbridge(*admin, "ringcloud-config", account_id, *keys, *rw)
    assert configured.returncode == 0, configured.stderr
    yield own_account
    ringbridge(*admin, "ringcloud-remove", account_id)


def test_serve_refuses_ringcloud_without_a_fake_and_calls_one_started_after_it(
    local_server: LocalServer, ringcloud_configured: dict[str, str]
) -> None:
    # Given the stack serving with no fake and no RINGCLOUD_BASE_URL: click-to-call is refused, saying how to opt in
    refused = local_server.request("POST", "/ringcloud/calls", ringcloud_configured["rw_token"], json=CALL)
    assert refused.status_code == 502, refused.text
    message = refused.json()["error"]["message"]
    assert "`ringbridge fake ringcloud`" in message and "RINGCLOUD_BASE_URL=https://api.ringcloud.ru" in message

    # When `ringbridge fake ringcloud` starts, after the stack
    with running_fake("ringcloud", "--state-dir", str(local_server.state_dir)):
        answer = local_server.request("POST", "/ringcloud/calls", ringcloud_configured["rw_token"], json=CALL)

    # Then the served API's next call reaches it
    assert answer.status_code == 202, answer.text


def test_two_imports_back_to_back_keep_ringclouds_limits(
    local_server: LocalServer, ringcloud_configured: dict[str, str]
) -> None:
    # Given `ringbridge fake ringcloud`, which counts every request inside one of RingCloud's windows
    state_dir = ["--state-dir", str(local_server.state_dir)]
    with running_fake("ringcloud", "--state-dir", str(local_server.state_dir)) as process:
        # When the import is invoked twice in a row, in two processes
        for _ in range(2):
            invoked = ringbridge("invoke", "RingcloudImportFunction", "events/ringcloud/import.json", *state_dir)
            assert invoked.returncode == 0, invoked.stderr
    # Then the second waited for RingCloud's windows: the fake saw nothing over its limits
    _, stderr = process.communicate(timeout=30)
    assert "answered" in stderr and ", 0 over RingCloud's limits" in stderr, stderr


def test_an_exported_url_wins_over_a_registered_fake_in_invoke(
    local_server: LocalServer, ringcloud_configured: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given RINGCLOUD_BASE_URL exported (here: a fake of this test's), and another fake registered
    exported = fake.seeded().start()
    monkeypatch.setenv("RINGCLOUD_BASE_URL", exported.base_url)
    state.register_fake(local_server.state_dir, "ringcloud", "http://127.0.0.1:9")
    try:
        # When the import is invoked
        state_dir = ["--state-dir", str(local_server.state_dir)]
        invoked = ringbridge("invoke", "RingcloudImportFunction", "events/ringcloud/import.json", *state_dir)
    finally:
        state.unregister_fake(local_server.state_dir, "ringcloud")
        exported.stop()

    # Then it called the exported URL
    assert invoked.returncode == 0, invoked.stderr
    assert len(exported.served("/v1/calls/complete")) == 1


def test_the_fake_ringostat_registers_and_serve_pushes_to_it(
    local_server: LocalServer, own_account: dict[str, str]
) -> None:
    # Given `ringbridge fake ringostat` started beside the stack, with no RINGOSTAT_BASE_URL anywhere
    demo = own_account
    state_dir = ["--state-dir", str(local_server.state_dir)]
    with running_fake("ringostat", "--state-dir", str(local_server.state_dir)) as process:
        configured = ringbridge(
            "admin", "--local", *state_dir, "ringostat-config", demo["account_id"], "--project-id", "601",
            "--auth-key", "walk-through-key", "--origin", "ringbridge demo",
            "--contact-link", "http://127.0.0.1:3000/contacts/{id}",
        )  # fmt: skip
        assert configured.returncode == 0, configured.stderr
        try:
            # When a contact is created through the API
            body = {"first_name": "Lesya", "last_name": "Ukrainka", "phones": [{"number": "+380 67 555 44 32"}]}
            answer = local_server.request("POST", "/ringotel/contacts", demo["rw_token"], json=body)
            assert answer.status_code == 201, answer.text
            contact_id = answer.json()["id"]

            # Then the stack's stream pushes it to the registered fake, which accepts it
            printed = printed_until(process, contact_id)
            assert any(
                line.startswith("POST /minicrm/contacts/sync") and line.strip().endswith("-> 200") for line in printed
            ), printed
            assert any(contact_id in line for line in printed), printed
        finally:
            ringbridge("admin", "--local", *state_dir, "ringostat-remove", demo["account_id"])
