"""The admin CLI as a newcomer types it: errors in the user's words naming the argument as typed,
--state-dir after the command, user phones read like contacts', passwords from stdin, --table's region."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringbridge import aws, settings
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge.logic import ringcloud
from ringbridge_tools import cli
from ringbridge_tools.cli.common import DEFAULT_STATE_DIR
from tests.support.tenants import Tenant


def admin(*args: str) -> int:
    return cli.main(["admin", "--table", table.name(), *args])


def phones_of_users(tenant: Tenant) -> list[str]:
    return sorted(str(user.get("phone")) for user in accounts_dal.list_users(tenant.account_id))


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (["revoke-token", "{account}", "NOSUCHKEY"], "error: no such token (KEY_ID)\n"),
        (
            ["set-rate-limit", "{account}", "NOSUCHKEY", "-1"],
            "error: must be between 1 and 1,000,000 requests a minute (0: no limit) (RATE_LIMIT)\n",
        ),
        (
            ["create-token", "{account}", "--scope", "ro", "--rate-limit", "1000001"],
            "error: must be between 1 and 1,000,000 requests a minute (0: no limit) (--rate-limit)\n",
        ),
        (["update-user", "{account}", "01NOSUCHUSER", "--name", "X"], "error: no such user (USER_ID)\n"),
        (["create-token", "01NOSUCHACCOUNT", "--scope", "ro"], "error: no such account (ACCOUNT_ID)\n"),
        (["create-user", "{account}", "--name", " "], "error: must not be empty (--name)\n"),
        # pydantic's own phrasing ("Value error, ...", "Input should be ...") is not the user's
        (
            [
                "ringostat-config",
                "{account}",
                "--project-id",
                "7",
                "--auth-key",
                "k",
                "--origin",
                "CRM",
                "--contact-link",
                "https://crm.example/contacts",
            ],
            "error: must contain {id}, where the contact id goes (--contact-link)\n",
        ),
        (
            [
                "ringostat-config",
                "{account}",
                "--project-id",
                "0",
                "--auth-key",
                "k",
                "--origin",
                "CRM",
                "--contact-link",
                "https://crm.example/{id}",
            ],
            "error: must be greater than 0 (--project-id)\n",
        ),
    ],
)
def test_errors_speak_the_users_words_and_name_the_argument_as_typed(tenant: Tenant, command, error, capsys) -> None:
    code = admin(*(part.replace("{account}", tenant.account_id) for part in command))

    assert code == 1
    assert capsys.readouterr().err == error


def test_state_dir_is_accepted_after_the_command_too() -> None:
    parser = cli.build_parser()

    after = parser.parse_args(["admin", "--local", "list-tokens", "A1", "--state-dir", "/tmp/other"])
    before = parser.parse_args(["admin", "--local", "--state-dir", "/tmp/other", "list-tokens", "A1"])
    neither = parser.parse_args(["admin", "--local", "list-tokens", "A1"])

    assert after.state_dir == before.state_dir == Path("/tmp/other")
    assert neither.state_dir == Path(DEFAULT_STATE_DIR)


def test_a_state_dir_after_the_command_is_the_one_used(tmp_path: Path, capsys) -> None:
    code = cli.main(["admin", "--local", "list-tokens", "A1", "--state-dir", str(tmp_path / "elsewhere")])

    assert code == 1
    assert str(tmp_path / "elsewhere") in capsys.readouterr().err  # "no local stack is running for ..."


@pytest.mark.parametrize("phone", ["abc", "12", "+380 44"])
def test_create_user_refuses_a_phone_a_contact_could_not_have(tenant: Tenant, phone: str, capsys) -> None:
    before = phones_of_users(tenant)

    code = admin("create-user", tenant.account_id, "--name", "Olena", "--phone", phone)

    assert code == 1
    assert capsys.readouterr().err == f"error: {phone!r} is not a phone number we can read (region UA) (--phone)\n"
    assert phones_of_users(tenant) == before  # nothing written


def test_user_phones_are_read_with_the_accounts_region_and_kept_as_typed(tenant: Tenant, capsys) -> None:
    assert admin("create-user", tenant.account_id, "--name", "Olena", "--phone", "044 123 45 67") == 0
    assert "044 123 45 67" in phones_of_users(tenant)

    assert admin("update-user", tenant.account_id, tenant.user_id, "--phone", "not a phone") == 1
    assert capsys.readouterr().err.endswith("(--phone)\n")
    assert admin("update-user", tenant.account_id, tenant.user_id, "--phone", "+1 212 555 0101") == 0
    assert admin("update-user", tenant.account_id, tenant.user_id, "--phone", "") == 0  # clears it


def stored_password(account_id: str, which: str) -> str:
    name = settings.current().ringcloud.password_parameter(account_id, which)
    return aws.ssm().get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]


@pytest.fixture
def ringcloud_removed_after(tenant: Tenant) -> Iterator[None]:
    """The tenant's RingCloud config goes when the test ends: the scheduled import of later tests runs
    every account still registered."""
    yield
    ringcloud_dal.delete_config(tenant.account_id)


def ringcloud_config(account_id: str, stdin: str, monkeypatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return admin(
        "ringcloud-config", account_id, "--api-key", "12345_ro", "--password", "-",
        "--rw-api-key", "12345_rw", "--rw-password", "-",
    )  # fmt: skip


def test_two_passwords_from_stdin_are_read_one_line_each(tenant: Tenant, monkeypatch, ringcloud_removed_after) -> None:
    assert ringcloud_config(tenant.account_id, "ro-secret\nrw-secret\n", monkeypatch) == 0

    assert stored_password(tenant.account_id, ringcloud.RO) == "ro-secret"
    assert stored_password(tenant.account_id, ringcloud.RW) == "rw-secret"


def test_a_second_password_missing_from_stdin_is_refused_saying_so(tenant: Tenant, monkeypatch, capsys) -> None:
    assert ringcloud_config(tenant.account_id, "ro-secret\n", monkeypatch) == 1

    assert capsys.readouterr().err == (
        "error: --rw-password -: stdin ended before its line (one line each: --password, then --rw-password)\n"
    )
    assert ringcloud_dal.get_config_and_status(tenant.account_id) == (None, None)  # nothing written


def test_table_without_a_region_says_what_to_set(tenant: Tenant, monkeypatch, tmp_path: Path, capsys) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))

    code = admin("list-tokens", tenant.account_id)

    error = capsys.readouterr().err
    assert code == 1
    assert error.startswith("error: You must specify a region. --table uses your AWS credentials in the table's region")
    assert "set AWS_REGION (e.g. AWS_REGION=eu-central-1)" in error
