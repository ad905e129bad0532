"""Every vendor's configuration is set, shown and removed alike: `<vendor>-config`, `-status`, `-remove`.

Configuring calls no vendor, so no fake is needed here.
"""

import json
import uuid

import pytest

from ringbridge.dal import registry as registry_dal
from ringbridge.dal import secrets, table
from ringbridge_tools import cli

CONFIG_OPTIONS = {
    "ringostat": ["--project-id", "4343", "--auth-key", "key-4343", "--origin", "ringbridge",
                  "--contact-link", "https://crm.example.com/c/{id}"],
    "ringcloud": ["--api-key", "4343_ro", "--password", "ro-password"],
}  # fmt: skip
VENDOR_NAME = {"ringostat": "Ringostat", "ringcloud": "RingCloud"}  # as the vendor writes its own name


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
