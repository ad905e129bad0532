"""Ringio notes, in-process against the emulator."""

import pytest

from tests.support.api import call, new_ringio_contact


def contact(tenant, name="Ivan Franko"):
    return new_ringio_contact(tenant, name=name)["id"]


def note(tenant, contact_id, body="Called about the order", **fields):
    answer = call(
        "POST", "/ringio/notes", tenant.rw_token, json_body={"note": {"contact_id": contact_id, "body": body, **fields}}
    )
    assert answer.status == 201, answer.body
    return answer.body["note"]


def test_a_note_round_trips_wrapped_in_its_root_key(tenant):
    contact_id = contact(tenant)
    created = note(tenant, contact_id, author_id=tenant.user_id)
    assert {"id", "contact_id", "author_id", "body", "last_updated", "date_created"} <= created.keys()
    assert (created["contact_id"], created["author_id"], created["body"]) == (
        contact_id,
        tenant.user_id,
        "Called about the order",
    )
    answer = call("GET", f"/ringio/notes/{created['id']}", tenant.ro_token)
    assert answer.status == 200 and answer.body == {"note": created}


def test_a_contacts_notes_are_listed_by_contact_id_with_one_query(tenant, no_scan):
    # Given notes on two contacts
    first, second = contact(tenant), contact(tenant, "Lesya Ukrainka")
    mine = [note(tenant, first, f"note {index}")["id"] for index in range(3)]
    other = note(tenant, second)["id"]
    # When one contact's notes are listed
    del no_scan[:]
    answer = call("GET", "/ringio/notes", tenant.ro_token, query={"contact_id": first})
    # Then exactly its notes come back, oldest first, from one Query (after the token check)
    assert answer.status == 200
    assert [item["note"]["id"] for item in answer.body] == mine
    assert no_scan.count("Query") == 1
    # And the unfiltered list has every note of the account
    everything = call("GET", "/ringio/notes", tenant.ro_token).body
    assert [item["note"]["id"] for item in everything] == [*mine, other]


def test_moving_a_note_to_another_contact_moves_it_in_the_per_contact_lists(tenant):
    first, second = contact(tenant), contact(tenant, "Lesya Ukrainka")
    created = note(tenant, first)
    moved = call("PUT", f"/ringio/notes/{created['id']}", tenant.rw_token, json_body={"note": {"contact_id": second}})
    assert moved.status == 200 and moved.body["note"]["body"] == created["body"]
    assert call("GET", "/ringio/notes", tenant.ro_token, query={"contact_id": first}).body == []
    assert [
        n["note"]["id"] for n in call("GET", "/ringio/notes", tenant.ro_token, query={"contact_id": second}).body
    ] == [created["id"]]


def test_update_is_partial_and_a_stale_version_is_409_with_the_current_note(tenant):
    created = note(tenant, contact(tenant))
    path = f"/ringio/notes/{created['id']}"
    updated = call("PUT", path, tenant.rw_token, json_body={"note": {"body": "Order shipped", "version": 1}})
    assert updated.status == 200
    assert updated.body["note"]["body"] == "Order shipped" and updated.body["note"]["version"] == 2
    stale = call("PUT", path, tenant.rw_token, json_body={"note": {"body": "lost"}}, headers={"if-match": '"1"'})
    assert stale.status == 409 and stale.body["note"]["body"] == "Order shipped"
    assert stale.body["note"]["last_updated"] == updated.body["note"]["last_updated"]  # Ringio's shape
    # The per-contact copy changed with it
    listed = call("GET", "/ringio/notes", tenant.ro_token, query={"contact_id": created["contact_id"]}).body
    assert listed[0]["note"]["body"] == "Order shipped"


def test_delete_removes_the_note_from_every_list(tenant):
    created = note(tenant, contact(tenant))
    assert call("DELETE", f"/ringio/notes/{created['id']}", tenant.rw_token).status == 200
    assert call("GET", f"/ringio/notes/{created['id']}", tenant.ro_token).status == 404
    assert call("GET", "/ringio/notes", tenant.ro_token, query={"contact_id": created["contact_id"]}).body == []
    assert call("GET", "/ringio/notes", tenant.ro_token).body == []


def test_a_note_on_another_accounts_contact_is_refused_and_its_notes_are_404(tenant, other_tenant):
    # Given a contact and a note of another account
    foreign_contact = contact(other_tenant)
    foreign_note = note(other_tenant, foreign_contact)
    # Then a note cannot be attached to that contact, and that account's note is 404 like a missing one
    answer = call(
        "POST", "/ringio/notes", tenant.rw_token, json_body={"note": {"contact_id": foreign_contact, "body": "x"}}
    )
    assert answer.status == 422 and answer.body["error"]["field"] == "note.contact_id"
    for method, body in [("GET", None), ("PUT", {"note": {"body": "x"}}), ("DELETE", None)]:
        assert call(method, f"/ringio/notes/{foreign_note['id']}", tenant.rw_token, json_body=body).status == 404
    assert call("GET", "/ringio/notes", tenant.ro_token, query={"contact_id": foreign_contact}).body == []


def test_a_note_of_a_contact_deleted_meanwhile_is_refused(tenant):
    contact_id = contact(tenant)
    assert call("DELETE", f"/ringio/contacts/{contact_id}", tenant.rw_token).status == 200
    answer = call("POST", "/ringio/notes", tenant.rw_token, json_body={"note": {"contact_id": contact_id, "body": "x"}})
    assert answer.status == 422 and answer.body["error"]["field"] == "note.contact_id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": {"body": "no contact"}}, "note.contact_id"),
        ({"note": {"contact_id": "CONTACT"}}, "note.body"),
        ({"note": {"contact_id": "CONTACT", "body": "x", "author_id": "01NOSUCHUSER"}}, "note.author_id"),
        ({"note": {"contact_id": "CONTACT", "body": 5}}, "note.body"),
        ({"note": {"contact_id": "CONTACT", "body": "x", "colour": "red"}}, "note.colour"),
    ],
)
def test_invalid_notes_are_422_naming_the_field(tenant, body, field):
    contact_id = contact(tenant)
    fields = {k: (contact_id if v == "CONTACT" else v) for k, v in body["note"].items()}
    answer = call("POST", "/ringio/notes", tenant.rw_token, json_body={"note": fields})
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == field
    assert call("GET", "/ringio/notes", tenant.ro_token).body == []
