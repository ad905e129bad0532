"""Operating the local stack: one server per state dir, SSM in the snapshot, the CLI's stdin, pipes and users."""

import json
import subprocess
import sys
import uuid

import boto3
import pytest

from ringbridge_tools.local import template
from tests.support.local_server import LocalServer, cli_environment, ringbridge, start_server, stop_server

pytestmark = pytest.mark.e2e


def shell(command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``command`` in a shell, ``ringbridge`` standing for this Python's ``-m ringbridge_tools.cli``."""
    return subprocess.run(
        command.replace("ringbridge ", f"{sys.executable} -m ringbridge_tools.cli ", 1),
        shell=True,
        input=stdin,
        cwd=template.ROOT,
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_invoke_reads_the_event_from_stdin(local_server: LocalServer) -> None:
    event = (template.ROOT / "events/ringotel/RingotelFindContactFunction.json").read_text()

    result = shell(f"ringbridge invoke RingotelFindContactFunction - --state-dir {local_server.state_dir}", event)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["statusCode"] == 200


def test_a_closed_pipe_ends_the_cli_quietly() -> None:
    result = shell("ringbridge openapi | head -1")

    assert result.stdout == "{\n"
    assert result.stderr == ""


def test_version() -> None:
    result = ringbridge("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("ringbridge ")


def test_a_second_server_on_the_same_state_dir_refuses(local_server: LocalServer) -> None:
    stack_json = (local_server.state_dir / "stack.json").read_text()

    second = ringbridge("serve", "--port", "0", "--state-dir", str(local_server.state_dir))

    assert second.returncode == 1
    assert "another `ringbridge serve`" in second.stderr and str(local_server.state_dir) in second.stderr
    # The first one is untouched and still reachable for the CLI
    assert (local_server.state_dir / "stack.json").read_text() == stack_json
    account_id = local_server.accounts[0]["account_id"]
    listed = ringbridge("admin", "--local", "--state-dir", str(local_server.state_dir), "list-tokens", account_id)
    assert listed.returncode == 0, listed.stderr


def test_the_ringostat_auth_key_survives_a_restart(tmp_path) -> None:
    server = start_server(tmp_path / "state")
    account_id = server.accounts[0]["account_id"]
    configured = ringbridge(
        "admin", "--local", "--state-dir", str(server.state_dir), "ringostat-config", account_id,
        "--project-id", "77", "--auth-key", "key-that-must-survive", "--origin", "ringbridge",
        "--contact-link", "https://crm.example.com/contacts/{id}",
    )  # fmt: skip
    assert configured.returncode == 0, configured.stderr
    stop_server(server)

    again = start_server(tmp_path / "state")
    try:
        description = json.loads((again.state_dir / "stack.json").read_text())
        ssm = boto3.client("ssm", endpoint_url=description["endpoint"], region_name=description["region"])
        name = f"{description['environment']['RINGOSTAT_PARAMETER_PREFIX']}/{account_id}/auth-key"
        stored = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        assert (stored["Value"], stored["Type"]) == ("key-that-must-survive", "SecureString")
    finally:
        stop_server(again)


def test_admin_cli_updates_and_removes_users_with_unique_extensions(local_server: LocalServer) -> None:
    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        return ringbridge("admin", "--local", "--state-dir", str(local_server.state_dir), *args)

    account = json.loads(admin("create-account", "--name", f"Ops {uuid.uuid4().hex[:6]}", "--region", "UA").stdout)
    first = json.loads(admin("create-user", account["id"], "--name", "First", "--extension", "401").stdout)

    taken = admin("create-user", account["id"], "--name", "Second", "--extension", "401")
    bad_mail = admin("create-user", account["id"], "--name", "Second", "--email", "not-an-address")
    moved = admin("update-user", account["id"], first["id"], "--extension", "402")
    second = admin("create-user", account["id"], "--name", "Second", "--extension", "401")
    removed = admin("remove-user", account["id"], first["id"])

    assert taken.returncode == 1 and "another user of this account has extension 401" in taken.stderr
    assert bad_mail.returncode == 1 and "(--email)" in bad_mail.stderr
    assert moved.returncode == 0 and json.loads(moved.stdout)["extension"] == "402"
    assert second.returncode == 0, second.stderr
    assert removed.returncode == 0 and json.loads(removed.stdout)["removed"] is True
