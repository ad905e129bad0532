"""Two writers racing past the same read are stopped by DynamoDB's own conditions, not by our code.

The code checks the version it read before it writes; two writers can both pass that check. What
stops the second one is the condition inside the write itself, so these tests call the DAL the way
the loser of such a race would: with the version it read before the winner committed. The same
conditions keep a create from writing over an item that already has its key.
"""

import uuid

import pytest

from ringbridge import aws, clock
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import notes as notes_dal
from ringbridge.dal import oauth as oauth_dal
from ringbridge.dal import table
from ringbridge.dal.items import (
    AccountItem,
    ApiTokenItem,
    ContactItem,
    NoteItem,
    OAuthClientItem,
    OAuthCodeItem,
    OAuthTokenItem,
)
from ringbridge.dal.table import TransactionCancelled, transact
from tests.support.api import call, new_ringotel_contact

REFUSED = "ConditionalCheckFailed"


def new_contact(tenant) -> dict:
    return new_ringotel_contact(tenant, phones=[{"number": "+380441112233"}])


def updated_contact(tenant) -> ContactItem:
    """A contact at version 2: the version a racing writer read (1) is now stale."""
    contact = new_contact(tenant)
    answer = call("PUT", f"/ringotel/contacts/{contact['id']}", tenant.rw_token, json_body={"job_title": "Poet"})
    assert answer.status == 200 and answer.body["version"] == 2, answer.body
    stored = contacts_dal.get_contact(tenant.account_id, contact["id"])
    assert stored is not None
    return stored


def refused(writes: list[dict]) -> list[str]:
    with pytest.raises(TransactionCancelled) as cancelled:
        transact(writes)
    assert str(cancelled.value) == ", ".join(cancelled.value.reasons)  # what a log of the error shows
    return cancelled.value.reasons


def test_a_contact_write_over_a_stale_version_is_refused_by_dynamodb(tenant):
    current = updated_contact(tenant)
    # A writer that read version 1 writes its version 2
    stale = {**current, "job_title": "Stale", "version": 2, "updated_at": clock.now_iso()}

    reasons = refused(contacts_dal.contact_puts(tenant.account_id, stale, expected_version=1))

    assert reasons[0] == REFUSED
    assert contacts_dal.get_contact(tenant.account_id, current["id"]) == current
    # The same write at the version actually stored goes through
    fresh = {**stale, "version": 3}
    transact(contacts_dal.contact_puts(tenant.account_id, fresh, expected_version=2))
    assert contacts_dal.get_contact(tenant.account_id, current["id"])["job_title"] == "Stale"


def test_a_contact_delete_at_a_stale_version_is_refused_by_dynamodb(tenant):
    current = updated_contact(tenant)

    reasons = refused(contacts_dal.contact_deletes(tenant.account_id, {**current, "version": 1}))

    assert reasons[0] == REFUSED
    assert contacts_dal.get_contact(tenant.account_id, current["id"]) == current
    transact(contacts_dal.contact_deletes(tenant.account_id, current))
    assert contacts_dal.get_contact(tenant.account_id, current["id"]) is None


def test_an_activity_write_over_a_stale_version_is_refused_by_dynamodb(tenant):
    body = {"call_id": f"race-{uuid.uuid4().hex}", "direction": "inbound", "caller_number": "380441111111"}
    created = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body).body
    path = f"/ringotel/activities/{created['id']}"
    assert call("PUT", path, tenant.rw_token, json_body={"comment": "first"}).body["version"] == 2
    current = activities_dal.get_activity(tenant.account_id, created["id"])
    stale = {**current, "comment": "stale", "version": 2, "updated_at": clock.now_iso()}

    reasons = refused(activities_dal.activity_puts(tenant.account_id, stale, expected_version=1))

    assert REFUSED in reasons
    assert activities_dal.get_activity(tenant.account_id, created["id"]) == current
    assert activities_dal.get_by_call(tenant.account_id, body["call_id"]) == current
    transact(activities_dal.activity_puts(tenant.account_id, {**stale, "version": 3}, expected_version=2))
    assert activities_dal.get_activity(tenant.account_id, created["id"])["comment"] == "stale"


def test_a_note_for_a_contact_deleted_meanwhile_is_refused_by_dynamodb(tenant):
    contact = new_contact(tenant)
    # The note's writer read the contact; then the contact is deleted
    assert call("DELETE", f"/ringio/contacts/{contact['id']}", tenant.rw_token).status == 200
    now = clock.now_iso()
    note = {
        "id": f"N{uuid.uuid4().hex}",
        "contact_id": contact["id"],
        "body": "Called back",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }

    reasons = refused(notes_dal.note_writes(tenant.account_id, note, previous=None))

    assert reasons[0] == REFUSED
    assert notes_dal.get_note(tenant.account_id, note["id"]) is None


def written_note(tenant, body: str) -> NoteItem:
    """A note at version 1, written through the DAL."""
    now = clock.now_iso()
    contact_id = new_contact(tenant)["id"]
    note: NoteItem = {
        "id": f"N{uuid.uuid4().hex}",
        "contact_id": contact_id,
        "body": body,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    transact(notes_dal.note_writes(tenant.account_id, note, previous=None))
    return note


def test_a_note_write_over_a_stale_version_is_refused_by_dynamodb(tenant):
    note = written_note(tenant, "v1")
    second = {**note, "body": "v2", "version": 2}
    transact(notes_dal.note_writes(tenant.account_id, second, previous=note))

    reasons = refused(notes_dal.note_writes(tenant.account_id, {**second, "body": "stale"}, previous=note))

    assert reasons[1] == REFUSED
    assert notes_dal.get_note(tenant.account_id, note["id"])["body"] == "v2"
    reasons = refused(notes_dal.note_deletes(tenant.account_id, note))
    assert reasons[0] == REFUSED
    assert notes_dal.get_note(tenant.account_id, note["id"])["body"] == "v2"


def test_a_note_created_again_under_the_same_id_is_refused_by_dynamodb(tenant):
    note = written_note(tenant, "first")

    reasons = refused(notes_dal.note_writes(tenant.account_id, {**note, "body": "second"}, previous=None))

    assert reasons[1] == REFUSED
    assert notes_dal.get_note(tenant.account_id, note["id"])["body"] == "first"


@pytest.mark.parametrize("kind", ["client", "code", "tokens"])
def test_an_oauth_client_code_or_token_is_never_written_over(tenant, kind):
    client_key, key = "K" + uuid.uuid4().hex, "C" + uuid.uuid4().hex
    sk = {"client": oauth_dal.client_sk(client_key), "code": oauth_dal.code_sk(client_key, key), "tokens": key}[kind]

    def put(secret_hash: str) -> None:
        # Items of each kind that differ in their secret's hash only.
        now = clock.now_iso()
        if kind == "client":
            client: OAuthClientItem = {
                "client_id": "c",
                "name": "n",
                "redirect_uris": [],
                "secret_hash": secret_hash,
                "created_at": now,
            }
            oauth_dal.put_client(tenant.account_id, client_key, client)
        elif kind == "code":
            code: OAuthCodeItem = {
                "secret_hash": secret_hash,
                "grant_id": "g",
                "scope": "ro",
                "redirect_uri_sent": False,
                "created_at": now,
                "expires_at": 0,
            }
            oauth_dal.put_code(tenant.account_id, client_key, key, code)
        else:
            token: OAuthTokenItem = {"secret_hash": secret_hash, "created_at": now, "expires_at": 0}
            oauth_dal.put_tokens(tenant.account_id, [(sk, token)])

    put("first")
    client = aws.dynamodb()
    with pytest.raises((client.exceptions.ConditionalCheckFailedException, table.TransactionCancelled)):
        put("second")

    assert table.get_items(tenant.account_id, [sk])[sk]["secret_hash"] == "first"


@pytest.mark.parametrize("kind", ["account", "api token"])
def test_an_account_or_api_token_is_never_written_over(tenant, kind):
    key_id = tenant.ro_token.split("_")[2]

    def stored() -> AccountItem | ApiTokenItem | None:
        token, account = accounts_dal.get_token_and_account(tenant.account_id, key_id)
        return account if kind == "account" else token

    before = stored()
    assert before is not None
    with pytest.raises(aws.dynamodb().exceptions.ConditionalCheckFailedException):
        if kind == "account":
            accounts_dal.put_account({**before, "name": "Another"})
        else:
            accounts_dal.put_token(tenant.account_id, {**before, "secret_hash": "0" * 64})

    assert stored() == before


def test_an_organization_is_refused_by_dynamodb_when_its_name_or_its_id_is_taken(tenant):
    # Two writers that both read "no such organization" race to create it (or, by any chance, one id)
    now = clock.now_iso()
    acme = {"id": f"O{uuid.uuid4().hex}", "name": "Acme Ltd", "version": 1, "created_at": now, "updated_at": now}
    transact(contacts_dal.organization_puts(tenant.account_id, acme))

    same_name = {**acme, "id": f"O{uuid.uuid4().hex}", "name": " ACME  ltd "}
    assert refused(contacts_dal.organization_puts(tenant.account_id, same_name)) == ["None", REFUSED]
    same_id = {**acme, "name": "Other Ltd"}
    assert refused(contacts_dal.organization_puts(tenant.account_id, same_id)) == [REFUSED, "None"]


def test_a_contact_created_again_under_the_same_id_is_refused_by_dynamodb(tenant):
    contact = contacts_dal.get_contact(tenant.account_id, new_contact(tenant)["id"])

    again = {**contact, "first_name": "Other"}
    reasons = refused(contacts_dal.contact_puts(tenant.account_id, again, expected_version=None))

    assert reasons[0] == REFUSED
    assert contacts_dal.get_contact(tenant.account_id, contact["id"]) == contact
