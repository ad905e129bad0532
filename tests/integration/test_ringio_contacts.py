"""Ringio contacts, in-process against the emulator: the same contacts the Ringotel hooks see."""

import base64

import pytest

from ringbridge.dal import contacts as contacts_dal
from tests.support.api import call


def basic(token: str) -> dict[str, str]:
    """Ringio clients authenticate with HTTP Basic, the token as user name and "x" as password."""
    return {"authorization": "Basic " + base64.b64encode(f"{token}:x".encode()).decode()}


def create(tenant, **fields):
    body = {"contact": {"name": "Ivan Franko", **fields}}
    answer = call("POST", "/ringio/contacts", headers=basic(tenant.rw_token), json_body=body)
    assert answer.status == 201, answer.body
    return answer.body["contact"]


def find(tenant, phone):
    answer = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": phone})
    assert answer.status == 200, answer.body
    return answer.body["contacts"]


FULL_DATA = [
    {"type": "telephone", "value": "(044) 111-11-11", "is_primary": False, "rel": "work"},
    {"type": "telephone", "value": "050 123 45 67", "is_primary": True, "rel": "mobile"},
    {"type": "telephone", "value": "044 222 22 22", "is_primary": False, "rel": "pager"},
    {"type": "email", "value": "ivan@example.com", "is_primary": True, "rel": "home"},
    {"type": "im", "value": "skype:ivan.franko", "is_primary": True, "rel": "other"},
    {"type": "website", "value": "https://franko.example.com", "is_primary": False, "rel": "work"},
    {"type": "address", "value": "Lviv, Franka st. 1", "is_primary": False, "rel": "home"},
]


def test_a_contact_round_trips_in_ringios_shape_wrapped_in_its_root_key(tenant):
    # Given a contact created with every Ringio field
    created = create(
        tenant,
        title="Poet",
        business="Lviv Press",
        owner_id=tenant.user_id,
        hidden=True,
        groups=["VIP", "Press"],
        data=FULL_DATA,
    )
    # When it is read back
    answer = call("GET", f"/ringio/contacts/{created['id']}", headers=basic(tenant.ro_token))
    # Then it is wrapped in "contact" and has every field of Ringio's shape, as written
    assert answer.status == 200 and list(answer.body) == ["contact"]
    contact = answer.body["contact"]
    assert contact == created
    assert {
        "id",
        "name",
        "title",
        "business",
        "owner_id",
        "hidden",
        "groups",
        "last_updated",
        "date_created",
        "data",
    } <= contact.keys()
    assert (contact["name"], contact["title"], contact["business"]) == ("Ivan Franko", "Poet", "Lviv Press")
    assert contact["owner_id"] == tenant.user_id and contact["hidden"] is True and contact["groups"] == ["VIP", "Press"]
    assert contact["last_updated"].endswith("Z") and contact["date_created"] == contact["last_updated"]
    # And the primary entry of each type comes first, marked primary; every rel is kept (pager too)
    by_type = {}
    for datum in contact["data"]:
        by_type.setdefault(datum["type"], []).append((datum["value"], datum["is_primary"], datum["rel"]))
    assert by_type["telephone"] == [
        ("050 123 45 67", True, "mobile"),
        ("(044) 111-11-11", False, "work"),
        ("044 222 22 22", False, "pager"),
    ]
    assert by_type["email"] == [("ivan@example.com", True, "home")]
    assert by_type["im"] == [("skype:ivan.franko", True, "other")]
    assert by_type["website"] == [("https://franko.example.com", True, "work")]
    assert by_type["address"] == [("Lviv, Franka st. 1", True, "home")]
    assert answer.headers["etag"] == '"1"'


def test_a_phone_added_through_ringio_is_found_by_find_contact_at_once(tenant):
    # Given a contact created through Ringio with a number in a local format
    created = create(tenant, data=[{"type": "telephone", "value": "044 111 11 11", "rel": "work"}])
    # Then Ringotel's FindContact finds it immediately, in any format, with the same name and company
    for text in ["+380441111111", "0441111111", "00380441111111"]:
        assert [c["id"] for c in find(tenant, text)] == [created["id"]]
    # When a number is added and the old one dropped through Ringio
    answer = call(
        "PUT",
        f"/ringio/contacts/{created['id']}",
        tenant.rw_token,
        json_body={"contact": {"data": [{"type": "telephone", "value": "0672223344", "rel": "mobile"}]}},
    )
    assert answer.status == 200, answer.body
    # Then the new number finds it and the old one no longer does
    assert [c["id"] for c in find(tenant, "+380672223344")] == [created["id"]]
    assert find(tenant, "+380441111111") == []


def test_business_links_the_same_organization_as_the_ringotel_hooks(tenant):
    # Given a contact created by Ringotel with a company
    ringotel = call(
        "POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "Lesya", "company_name": "Kyiv Bakery"}
    )
    # When a Ringio contact names the same business (spacing and case aside)
    ringio = create(tenant, business="kyiv  bakery")
    # Then both link one organization, found by Ringotel through the contact
    stored = contacts_dal.get_contact(tenant.account_id, ringio["id"])
    assert stored["organization_id"] == ringotel.body["organization_id"]
    organizations = call("GET", "/ringotel/organizations", tenant.ro_token).body["organizations"]
    assert [org["name"] for org in organizations] == ["Kyiv Bakery"]


def test_name_is_split_at_the_first_space_and_ringotel_sees_first_and_last_name(tenant):
    created = create(tenant, name="Taras Hryhorovych Shevchenko")
    seen = find_by_id(tenant, created["id"])
    assert (seen["first_name"], seen["last_name"]) == ("Taras", "Hryhorovych Shevchenko")
    one_word = create(tenant, name="Madonna")
    assert find_by_id(tenant, one_word["id"])["last_name"] is None
    assert call("GET", f"/ringio/contacts/{one_word['id']}", tenant.ro_token).body["contact"]["name"] == "Madonna"


def find_by_id(tenant, contact_id):
    contacts = call("GET", "/ringotel/contacts", tenant.ro_token, query={"limit": "500"}).body["contacts"]
    return next(contact for contact in contacts if contact["id"] == contact_id)


def test_ringotel_answers_do_not_show_the_ringio_only_fields_and_keep_them(tenant):
    # Given a Ringio contact with groups, hidden and a website
    created = create(tenant, hidden=True, groups=["VIP"], data=[{"type": "website", "value": "https://x.example"}])
    # When Ringotel updates it
    update = call("PUT", f"/ringotel/contacts/{created['id']}", tenant.rw_token, json_body={"job_title": "Editor"})
    # Then Ringotel's answer has its usual fields only
    assert update.status == 200
    assert not {"hidden", "groups", "extra_data", "data_rels"} & update.body.keys()
    # And the Ringio fields survived the Ringotel update
    contact = call("GET", f"/ringio/contacts/{created['id']}", tenant.ro_token).body["contact"]
    assert (contact["title"], contact["hidden"], contact["groups"]) == ("Editor", True, ["VIP"])
    assert contact["data"] == [{"type": "website", "value": "https://x.example", "is_primary": True, "rel": "work"}]


def test_put_changes_only_the_fields_sent_and_a_stale_version_is_409_with_the_current_contact(tenant):
    created = create(tenant, title="Poet", groups=["A"], hidden=True)
    path = f"/ringio/contacts/{created['id']}"
    # When only the title is sent, with the version read (as a client that PUTs back what it GOT)
    sent = {**created, "title": "Writer"}
    updated = call("PUT", path, tenant.rw_token, json_body={"contact": sent})
    assert updated.status == 200, updated.body
    assert updated.body["contact"]["title"] == "Writer" and updated.body["contact"]["groups"] == ["A"]
    assert updated.body["contact"]["version"] == 2 and updated.headers["etag"] == '"2"'
    # Then a write based on version 1 is refused with the current contact, in Ringio's shape
    stale = call("PUT", path, tenant.rw_token, json_body={"contact": {"title": "Old", "version": 1}})
    assert stale.status == 409
    assert stale.body["contact"]["title"] == "Writer" and stale.body["contact"]["version"] == 2
    assert stale.body["contact"]["groups"] == ["A"] and stale.body["contact"]["hidden"] is True
    stale_header = call(
        "PUT", path, tenant.rw_token, json_body={"contact": {"title": "Old"}}, headers={"if-match": '"1"'}
    )
    assert stale_header.status == 409


def test_delete_removes_the_contact_and_its_numbers_in_one_transaction(tenant, no_scan):
    created = create(
        tenant, data=[{"type": "telephone", "value": "0441111111"}, {"type": "telephone", "value": "0501234567"}]
    )
    path = f"/ringio/contacts/{created['id']}"
    # When it is deleted
    del no_scan[:]
    answer = call("DELETE", path, tenant.rw_token)
    # Then: one read, one transaction
    assert answer.status == 200, answer.body
    assert no_scan.count("TransactWriteItems") == 1 and "GetItem" in no_scan
    # And it is gone from every view: by id, from FindContact by either number, from both lists
    assert call("GET", path, tenant.ro_token).status == 404
    assert find(tenant, "+380441111111") == [] and find(tenant, "+380501234567") == []
    assert all(c["contact"]["id"] != created["id"] for c in call("GET", "/ringio/contacts", tenant.ro_token).body)
    assert call("DELETE", path, tenant.rw_token).status == 404


def test_delete_with_a_stale_if_match_is_409_and_deletes_nothing(tenant):
    created = create(tenant)
    call("PUT", f"/ringio/contacts/{created['id']}", tenant.rw_token, json_body={"contact": {"title": "X"}})
    answer = call("DELETE", f"/ringio/contacts/{created['id']}", tenant.rw_token, headers={"if-match": '"1"'})
    assert answer.status == 409 and answer.body["contact"]["version"] == 2
    assert call("GET", f"/ringio/contacts/{created['id']}", tenant.ro_token).status == 200


def test_the_list_is_an_array_of_wrapped_contacts_paginated_by_a_cursor_header(tenant, ordered_clock):
    # Given five contacts
    made = [create(tenant, name=f"Person {index}")["id"] for index in range(5)]
    # When they are listed two at a time, following X-Next-Cursor (and the Link header says the same)
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = call("GET", "/ringio/contacts", tenant.ro_token, query=query)
        assert page.status == 200 and isinstance(page.body, list)
        seen += [item["contact"]["id"] for item in page.body]
        pages += 1
        cursor = page.headers.get("x-next-cursor")
        if not cursor:
            assert "link" not in page.headers
            break
        assert page.headers["link"] == f'</ringio/contacts?limit=2&cursor={cursor}>; rel="next"'
    # Then every contact is seen once, in creation order
    assert seen == made and pages == 3


def test_another_accounts_contact_is_404_like_a_missing_one(tenant, other_tenant):
    created = create(tenant)
    for method, body in [("GET", None), ("PUT", {"contact": {"title": "x"}}), ("DELETE", None)]:
        answer = call(method, f"/ringio/contacts/{created['id']}", other_tenant.rw_token, json_body=body)
        assert answer.status == 404 and answer.body["error"]["code"] == "not_found"
        missing = call(method, "/ringio/contacts/01NOSUCHCONTACT0000000000", tenant.rw_token, json_body=body)
        assert missing.status == 404 and missing.body["error"]["message"] == answer.body["error"]["message"]
    assert call("GET", f"/ringio/contacts/{created['id']}", tenant.ro_token).status == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contact": {"title": "no name"}}, "contact.name"),
        ({"contact": {"name": "   "}}, "contact.name"),
        ({"name": "not wrapped"}, "contact"),
        ({"contact": {"name": "A", "nickname": "x"}}, "contact.nickname"),
        ({"contact": {"name": "A", "data": [{"type": "fax", "value": "1"}]}}, "contact.data.0.type"),
        ({"contact": {"name": "A", "data": [{"type": "telephone", "value": "12"}]}}, "contact.data.0.value"),
        ({"contact": {"name": "A", "data": [{"type": "email", "value": "not-an-email"}]}}, "contact.data.0.value"),
        ({"contact": {"name": "A", "owner_id": "01NOSUCHUSER"}}, "contact.owner_id"),
        ({"contact": {"name": "A", "groups": "VIP"}}, "contact.groups"),
    ],
)
def test_invalid_data_is_a_4xx_naming_the_field_and_writes_nothing(tenant, body, field):
    # Ringio itself answers 500 here; ringbridge answers 422 with the field (see the README)
    answer = call("POST", "/ringio/contacts", tenant.rw_token, json_body=body)
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == field
    assert call("GET", "/ringio/contacts", tenant.ro_token).body == []


def test_malformed_json_is_400_and_a_read_only_token_cannot_write(tenant):
    assert call("POST", "/ringio/contacts", tenant.rw_token, body="{not json").status == 400
    answer = call("POST", "/ringio/contacts", headers=basic(tenant.ro_token), json_body={"contact": {"name": "A"}})
    assert answer.status == 403
    assert call("GET", "/ringio/contacts", headers=basic("rbk_nope_nope_nope")).status == 403
