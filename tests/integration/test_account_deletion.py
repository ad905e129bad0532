"""Retiring an account (issue 25, part 2): nothing of it is left in the table, the bucket or SSM; its tokens
stop at once (a warm function's cache within its bound); another account is untouched; an interrupted
deletion resumes. The proof searches everything stored (tests.integration.stored)."""

import json
import uuid
from collections.abc import Iterator

import pytest

from ringbridge import aws, clock, settings
from ringbridge.dal import account_deletion as deletion_dal
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import secrets, table
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.logic import contacts
from ringbridge.logic.account_deletion import LONGEST_FUNCTION_SECONDS, delete_account
from ringbridge.logic.allowance import Allowance
from ringbridge.models.contact_input import ContactCreate
from ringbridge_tools import cli
from ringbridge_tools.local import lambdas, template
from tests.integration import oauth_flow
from tests.integration import stored as stored_data
from tests.support.api import call
from tests.support.tenants import Tenant

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
SETTLE = settings.current().auth_cache_seconds + LONGEST_FUNCTION_SECONDS
PLACEHOLDER_KEY = "4242_ro-deletion-test"  # a RingCloud config that only these tests write


@pytest.fixture
def time() -> Iterator[clock.ManualTime]:
    with clock.manual() as manual:
        yield manual


@pytest.fixture(autouse=True)
def no_ringcloud_left() -> Iterator[None]:
    """RingCloud entries of accounts a test did not delete go afterwards: later imports must not run them."""
    yield
    for account_id in list(ringcloud_dal.configured_accounts()):
        if ringcloud_dal.get_config_and_status(account_id)[0] == {"api_key": PLACEHOLDER_KEY}:
            ringcloud_dal.delete_config(account_id)


def populate(tenant: Tenant, configure, contacts_count: int = 3) -> dict:
    """Every kind of thing an account holds: contacts with numbers and an organization, notes, calls with
    recordings, a deleted contact (tombstone), an idempotency record, OAuth2 clients and tokens, Ringostat
    and RingCloud settings (registry entries, SSM parameters)."""
    ids = []
    for n in range(contacts_count):
        data = ContactCreate(
            first_name=f"Person{n}",
            company_name="Acme",
            owner_id=tenant.user_id,
            phones=[{"number": f"+38067{n:07d}"}, {"number": f"+38050{n:07d}", "type": "mobile"}],
        )
        ids.append(contacts.create_contact(tenant.scope, data, idempotency_key=uuid.uuid4().hex).id)
    note = {"note": {"contact_id": ids[0], "body": "Call back"}}
    assert call("POST", "/ringio/notes", tenant.rw_token, json_body=note).status == 201
    activity = {"call_id": f"call-{uuid.uuid4().hex}", "direction": "inbound", "caller_number": "+380670000000"}
    created = call("POST", "/ringotel/activities", tenant.rw_token, json_body=activity).body
    path = f"/ringotel/activities/{created['id']}/recording"
    headers = {"content-type": "audio/wav"}
    assert call("PUT", path, tenant.rw_token, body=AUDIO, headers=headers).status == 200
    assert call("DELETE", f"/ringio/contacts/{ids[-1]}", tenant.rw_token).status == 200
    client = oauth_flow.register(tenant.account_id, oauth_flow.REDIRECT)
    access_token = oauth_flow.tokens(client, tenant.rw_token)["access_token"]
    configure(tenant, abs(hash(tenant.account_id)) % 10**6 + 1, f"key-{tenant.account_id}")
    ringcloud_dal.put_config(tenant.account_id, {"api_key": PLACEHOLDER_KEY})
    secrets.put(settings.current().ringcloud.password_parameter(tenant.account_id, "password"), "pw")
    return {"contacts": ids, "access_token": access_token}


def nothing_left_of(account_id: str) -> bool:
    return stored_data.of_account(account_id) == ([], [], []) and account_id not in stored_data.everything()


def works(token: str) -> bool:
    answer = call("GET", "/ringio/users", token)
    assert answer.status in (200, 403), answer.body
    return answer.status == 200


def test_a_deleted_account_leaves_nothing_anywhere_and_another_is_untouched(
    tenant, other_tenant, configure, ringostat_server, time
):
    populate(tenant, configure)
    populate(other_tenant, configure)
    others_before = stored_data.of_account(other_tenant.account_id)
    assert all(others_before) and all(stored_data.of_account(tenant.account_id))

    first = delete_account(tenant.account_id, tenant.account_id)

    # Everything went but the last sweep, which waits for requests that passed auth before to end
    assert not first.complete and first.phase == "settle" and first.wait_until is not None
    assert first.parameters_deleted == 2 and first.recording_objects_deleted == 1
    assert first.phone_copies_deleted == 4  # two live contacts, two numbers each (the deleted one has none left)
    # Such a request (a warm function's cached token) still writes: the last sweep removes it
    assert call("POST", "/ringio/contacts", tenant.rw_token, json_body={"contact": {"name": "Late"}}).status == 201
    time.advance(SETTLE)

    last = delete_account(tenant.account_id, tenant.account_id)

    assert last.complete and last.items_deleted > first.items_deleted
    assert nothing_left_of(tenant.account_id)
    assert stored_data.of_account(other_tenant.account_id) == others_before
    assert account_changes(tenant.account_id) == []


def account_changes(account_id: str) -> list:
    """What the change indexes hold for the account's contacts (they hold projections of its items only)."""
    answer = aws.dynamodb().query(
        TableName=table.name(),
        IndexName=table.CHANGES_INDEX,
        KeyConditionExpression="CHG_PK = :pk",
        ExpressionAttributeValues={":pk": {"S": table.changes_pk(account_id, "CONTACT")}},
    )
    return answer["Items"]


def test_tokens_stop_at_once_and_a_warm_functions_cache_within_its_bound(tenant, configure, ringostat_server, time):
    made = populate(tenant, configure)
    assert works(tenant.ro_token) and works(made["access_token"])  # now cached in this (warm) process

    delete_account(tenant.account_id, tenant.account_id, Allowance(max_steps=1))  # the access phase only

    # A warm function trusts what it verified for AuthCacheSeconds at most; a cold one refuses at once
    assert works(tenant.ro_token) and works(made["access_token"])
    time.advance(settings.current().auth_cache_seconds)
    assert not works(tenant.ro_token) and not works(made["access_token"]) and not works(tenant.rw_token)


def test_an_interrupted_deletion_resumes_where_it_stopped_until_nothing_is_left(
    tenant, configure, ringostat_server, time
):
    populate(tenant, configure, contacts_count=60)

    runs = [delete_account(tenant.account_id, tenant.account_id, Allowance(max_steps=2))]
    time.advance(SETTLE)
    while not runs[-1].complete:
        status = deletion_dal.get_status(tenant.account_id)
        assert status is not None and status["phase"] == runs[-1].phase  # how far it got, stored
        runs.append(delete_account(tenant.account_id, tenant.account_id, Allowance(max_steps=2)))
        assert len(runs) < 100

    phases = [run.phase for run in runs]
    assert phases == sorted(phases, key=["access", "secrets", "recordings", "contacts", "items", "settle"].index)
    assert len(runs) >= 5 and runs[-1].phone_copies_deleted == 2 * 59  # each contact's two numbers, none twice
    assert deletion_dal.get_status(tenant.account_id) is None
    assert nothing_left_of(tenant.account_id)


def test_the_confirmation_must_repeat_the_account_id(tenant, capsys):
    before = stored_data.of_account(tenant.account_id)

    code = cli.main(["admin", "--table", table.name(), "delete-account", tenant.account_id, "--confirm", "other"])

    assert code == 1
    assert "(--confirm)" in capsys.readouterr().err
    assert stored_data.of_account(tenant.account_id) == before
    with pytest.raises(InvalidInput):
        delete_account(tenant.account_id, tenant.account_id + " ")


def test_an_unknown_account_is_404_and_a_finished_deletion_too(tenant, time):
    with pytest.raises(NotFound):
        delete_account("01JNOSUCHACCOUNT0000000000", "01JNOSUCHACCOUNT0000000000")
    delete_account(tenant.account_id, tenant.account_id)
    time.advance(SETTLE)
    assert delete_account(tenant.account_id, tenant.account_id).complete
    with pytest.raises(NotFound):
        delete_account(tenant.account_id, tenant.account_id)


def test_the_admin_cli_waits_for_the_last_sweep_and_prints_the_status(tenant, capsys, monkeypatch, time):
    monkeypatch.setattr(clock, "sleep", time.advance)
    args = ["admin", "--table", table.name(), "delete-account", tenant.account_id, "--confirm", tenant.account_id]

    assert cli.main(args) == 0

    printed = json.loads(capsys.readouterr().out)
    assert printed["complete"] is True and printed["items_deleted"] == 4  # the user, its extension, 2 tokens
    assert nothing_left_of(tenant.account_id)


def test_with_no_wait_the_cli_stops_before_the_last_sweep_and_a_later_run_finishes(tenant, capsys, time):
    args = ["admin", "--table", table.name(), "delete-account", tenant.account_id, "--confirm", tenant.account_id]

    assert cli.main([*args, "--no-wait"]) == 0
    first = json.loads(capsys.readouterr().out)
    time.advance(SETTLE)
    assert cli.main(args) == 0

    assert (first["complete"], first["phase"]) == (False, "settle")
    assert json.loads(capsys.readouterr().out)["complete"] is True
    assert nothing_left_of(tenant.account_id)


def test_the_scheduled_function_finishes_a_deletion_the_command_left(tenant, configure, ringostat_server, time):
    populate(tenant, configure)
    started = delete_account(tenant.account_id, tenant.account_id, Allowance(max_steps=1))
    time.advance(SETTLE)

    answer = lambdas.invoke(template.functions()["AccountDeletionFunction"], {"source": "ringbridge.schedule"})

    mine = [run for run in answer["deletions"] if run["account_id"] == tenant.account_id]
    assert started.phase == "access" and [run["complete"] for run in mine] == [True]
    assert nothing_left_of(tenant.account_id)
