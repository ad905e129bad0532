"""Every vendor's configuration is set, shown and removed alike: `<vendor>-config`, `-status`, `-remove`.

Configuring calls no vendor, so no fake is needed here.
"""

import json
import uuid

import pytest

from ringbridge.dal import registry as registry_dal
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.dal import secrets, table
from ringbridge_tools import cli
from tests.support.dynamodb import store_as_is
from tests.support.tenants import make_tenant

CONFIG_OPTIONS = {
    "ringostat": ["--project-id", "4343", "--auth-key", "key-4343", "--origin", "ringbridge",
                  "--contact-link", "https://crm.example.com/c/{id}"],
    "ringcloud": ["--api-key", "4343_ro", "--password", "ro-password"],
}  # fmt: skip
VENDOR_NAME = {"ringostat": "Ringostat", "ringcloud": "RingCloud"}  # as the vendor writes its own name
STORED = {"ringostat": ringostat_dal, "ringcloud": ringcloud_dal}  # each one's CONFIG_SK and STATUS_SK
TEXT_FIELD = {"ringostat": "origin", "ringcloud": "api_key"}  # a text field of each vendor's config


def admin(*arguments: str) -> int:
    return cli.main(["admin", "--table", table.name(), *arguments])


@pytest.mark.parametrize("vendor", CONFIG_OPTIONS)
def test_configure_status_and_remove_answer_alike_for_every_vendor(tenant, vendor, capsys):
    # Given an account configured for the vendor
    assert admin(f"{vendor}-config", tenant.account_id, *CONFIG_OPTIONS[vendor]) == 0
    capsys.readouterr()

    # Then its status shows the config, alone or among every configured account's
    assert admin(f"{vendor}-status", tenant.account_id) == 0
    [shown] = json.loads(capsys.readouterr().out)
    assert shown["account_id"] == tenant.account_id and shown["config"] is not None
    assert admin(f"{vendor}-status") == 0
    assert tenant.account_id in {each["account_id"] for each in json.loads(capsys.readouterr().out)}

    # When it is removed, the command says so, and the status shows no config
    assert admin(f"{vendor}-remove", tenant.account_id) == 0
    assert json.loads(capsys.readouterr().out) == {"account_id": tenant.account_id, vendor: "removed"}
    assert admin(f"{vendor}-status", tenant.account_id) == 0
    assert json.loads(capsys.readouterr().out)[0]["config"] is None

    # ... and removing it again, or removing an unknown account's, is refused the same way for both vendors
    assert admin(f"{vendor}-remove", tenant.account_id) == 1
    assert capsys.readouterr().err == f"error: {VENDOR_NAME[vendor]} is not configured for this account (ACCOUNT_ID)\n"
    assert admin(f"{vendor}-remove", "01NOSUCHACCOUNT") == 1
    assert "error: no such account (ACCOUNT_ID)" in capsys.readouterr().err


@pytest.mark.parametrize("vendor", CONFIG_OPTIONS)
def test_an_account_removed_while_its_run_starts_stays_out_of_the_next_runs(tenant, vendor, capsys):
    # A run lists the registry, then marks each account as it starts it: one removed in between must not come back.
    registry = {"ringostat": registry_dal.RINGOSTAT, "ringcloud": registry_dal.RINGCLOUD}[vendor]
    assert admin(f"{vendor}-config", tenant.account_id, *CONFIG_OPTIONS[vendor]) == 0
    assert tenant.account_id in registry_dal.accounts(registry)
    assert admin(f"{vendor}-remove", tenant.account_id) == 0
    capsys.readouterr()

    registry_dal.mark_run(registry, tenant.account_id, "2026-12-06T10:00:00Z")

    assert tenant.account_id not in registry_dal.accounts(registry)
    assert admin(f"{vendor}-status") == 0
    assert tenant.account_id not in {each["account_id"] for each in json.loads(capsys.readouterr().out)}


def test_a_vendors_secret_is_read_from_ssm_again_only_when_its_configuration_changes():
    name = f"/ringbridge/tests/{uuid.uuid4().hex}/auth-key"
    secrets.put(name, "first")
    assert secrets.read(name, "2026-12-06T10:00:00Z") == "first"

    # Changed behind the cache's back: the configuration's version (its updated_at) is what says to read again
    secrets.put(name, "second")
    assert secrets.read(name, "2026-12-06T10:00:00Z") == "first"
    assert secrets.read(name, "2026-12-06T11:00:00Z") == "second"
    secrets.delete(name)


@pytest.mark.parametrize("vendor", CONFIG_OPTIONS)
def test_a_stored_config_or_status_that_no_longer_reads_is_shown_as_none_saying_why(tenant, vendor, capsys):
    # Given two configured accounts, the first with a config and a status an older version could have stored
    other = make_tenant()
    for account_id in (tenant.account_id, other.account_id):
        assert admin(f"{vendor}-config", account_id, *CONFIG_OPTIONS[vendor]) == 0
    stored = STORED[vendor]
    store_as_is(tenant.account_id, stored.STATUS_SK, "last_run_at", {"S": "2026-12-07T06:00:00+00:00"})
    store_as_is(tenant.account_id, stored.CONFIG_SK, TEXT_FIELD[vendor], {"N": "1"})
    capsys.readouterr()
    try:
        # When every account's status is shown
        assert admin(f"{vendor}-status") == 0
        shown = {each["account_id"]: each for each in json.loads(capsys.readouterr().out)}

        # Then the other account shows as it is, and the first with its status but no config, saying why
        assert shown[other.account_id]["config"] is not None and shown[other.account_id]["problem"] is None
        broken = shown[tenant.account_id]
        assert broken["config"] is None and broken["status"]["last_run_at"] == "2026-12-07T06:00:00+00:00"
        assert broken["problem"] == f"config.{TEXT_FIELD[vendor]}: Input should be a valid string"

        # ... and a status that no longer reads is shown as never run, both problems named, alone as among all
        store_as_is(tenant.account_id, stored.STATUS_SK, "last_run_at", {"N": "1"})
        assert admin(f"{vendor}-status", tenant.account_id) == 0
        [broken] = json.loads(capsys.readouterr().out)
        assert broken["config"] is None and broken["status"]["last_run_at"] is None
        assert broken["problem"] == (
            f"config.{TEXT_FIELD[vendor]}: Input should be a valid string; "
            "status.last_run_at: Input should be a valid string"
        )
    finally:  # scheduled runs in later tests take every configured account
        for account_id in (tenant.account_id, other.account_id):
            assert admin(f"{vendor}-remove", account_id) == 0
