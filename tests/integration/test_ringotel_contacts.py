"""The Ringotel contact hooks, in-process against the emulator."""

import json
import threading

import pytest

from ringbridge import aws
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import table
from tests.support.api import call, new_ringotel_contact
from tests.support.dynamodb import dynamodb_hook
from tests.support.tenants import make_tenant

UA_FORMATS = ["+380 44 111 11 11", "380441111111", "0441111111", "(044) 111-11-11", "00380441111111"]


def find(tenant, phone, token=None):
    answer = call("GET", "/ringotel/contacts/find", token or tenant.ro_token, query={"phone": phone})
    assert answer.status == 200, answer.body
    return [contact["id"] for contact in answer.body["contacts"]]


def all_contacts(tenant):
    answer = call("GET", "/ringotel/contacts", tenant.ro_token, query={"limit": "500"})
    return answer.body["contacts"]


# --- CreateContact and FindContact ---------------------------------------------------------


def test_a_created_contact_is_found_at_once_by_every_format_of_its_number(tenant):
    # Given a contact created with one format of a Kyiv number
    contact = new_ringotel_contact(tenant, phones=[{"number": "(044) 111-11-11", "type": "work"}])
    # Then every format of that number finds it, immediately
    for text in UA_FORMATS:
        assert find(tenant, text) == [contact["id"]], text
    # And the original text is kept for display next to the normalized one
    assert contact["phones"] == [{"number": "(044) 111-11-11", "type": "work", "e164": "+380441111111"}]


def test_the_answer_has_every_documented_field(tenant):
    contact = new_ringotel_contact(
        tenant,
        job_title="Poet",
        company_name="Lviv Press",
        owner_id=tenant.user_id,
        phones=[{"number": "0501234567", "type": "mobile"}],
        emails=["ivan@example.com"],
    )
    assert {
        "id",
        "first_name",
        "last_name",
        "job_title",
        "company_name",
        "owner_id",
        "phones",
        "emails",
        "version",
        "created_at",
        "updated_at",
    } <= contact.keys()
    assert contact["version"] == 1
    assert contact["created_at"].endswith("Z") and contact["created_at"] == contact["updated_at"]
    assert contact["owner_id"] == tenant.user_id and contact["emails"] == ["ivan@example.com"]


def test_no_match_is_an_empty_list_not_an_error(tenant):
    assert find(tenant, "+380 67 000 00 00") == []


def test_contacts_sharing_a_number_come_back_most_recently_updated_first(tenant, ordered_clock):
    shared = [{"number": "+380 63 555 44 33", "type": "mobile"}]
    older, newer = new_ringotel_contact(tenant, phones=shared), new_ringotel_contact(tenant, phones=shared)
    assert find(tenant, "0635554433") == [newer["id"], older["id"]]
    # When the older one is updated it becomes the most recent
    call("PUT", f"/ringotel/contacts/{older['id']}", tenant.rw_token, json_body={"job_title": "Editor"})
    assert find(tenant, "0635554433") == [older["id"], newer["id"]]


def test_past_50_contacts_on_one_number_find_answers_the_50_created_last(tenant, ordered_clock):
    shared = [{"number": "+380 63 555 77 66"}]
    created = [new_ringotel_contact(tenant, phones=shared)["id"] for _ in range(51)]

    assert find(tenant, "0635557766") == created[:0:-1]  # newest first, the first created left out


def test_find_is_one_strongly_consistent_query(tenant):
    # The emulator always reads the latest; DynamoDB would not, and a contact just created must be found.
    new_ringotel_contact(tenant, phones=[{"number": "0442223355"}])
    queries: list[dict] = []

    def record(params, **_):
        queries.append(params)

    with dynamodb_hook("before-parameter-build.dynamodb.Query", record):
        find(tenant, "0442223355")

    assert [query.get("ConsistentRead") for query in queries] == [True]


def test_find_is_one_dynamodb_round_trip_and_never_a_scan(tenant, no_scan):
    new_ringotel_contact(tenant, phones=[{"number": "0442223344"}])
    find(tenant, "0442223344")  # the first request of a token also verifies it
    del no_scan[:]
    find(tenant, "+380442223344")
    assert no_scan == ["Query"]


def test_create_and_update_take_at_most_two_round_trips(tenant, no_scan):
    new_ringotel_contact(tenant)  # warm the token
    del no_scan[:]
    contact = new_ringotel_contact(
        tenant, company_name="Acme", owner_id=tenant.user_id, phones=[{"number": "0441230000"}]
    )
    assert len(no_scan) <= 2, no_scan
    del no_scan[:]
    answer = call(
        "PUT",
        f"/ringotel/contacts/{contact['id']}",
        tenant.rw_token,
        json_body={"company_name": "Beta", "phones": [{"number": "0441239999"}], "version": 1},
    )
    assert answer.status == 200
    assert len(no_scan) <= 2, no_scan


def test_contacts_of_one_account_are_invisible_to_another(tenant, other_tenant):
    contact = new_ringotel_contact(tenant, phones=[{"number": "+380 44 777 77 77"}])
    assert find(other_tenant, "+380447777777") == []
    answer = call("PUT", f"/ringotel/contacts/{contact['id']}", other_tenant.rw_token, json_body={"job_title": "x"})
    assert answer.status == 404
    missing = call("PUT", "/ringotel/contacts/01NOSUCHCONTACT", tenant.rw_token, json_body={"job_title": "x"})
    assert missing.status == 404 and answer.body == missing.body
    assert contact["id"] not in [c["id"] for c in all_contacts(other_tenant)]


def test_company_name_links_one_organization_per_name(tenant):
    first = new_ringotel_contact(tenant, company_name="Kyivstar")
    second = new_ringotel_contact(tenant, company_name="  KYIVSTAR ")
    assert first["organization_id"] and first["organization_id"] == second["organization_id"]
    organizations = call("GET", "/ringotel/organizations", tenant.ro_token).body["organizations"]
    assert [org["name"] for org in organizations] == ["Kyivstar"]


def test_an_owner_must_be_a_user_of_the_account(tenant, other_tenant):
    answer = call(
        "POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "A", "owner_id": other_tenant.user_id}
    )
    assert answer.status == 422 and answer.body["error"]["field"] == "owner_id"


# --- Idempotency ----------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_answers_the_first_contact(tenant):
    body = {"first_name": "Retry", "phones": [{"number": "0445550001"}]}
    headers = {"Idempotency-Key": "call-42-create"}
    first = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body, headers=headers)
    again = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body, headers=headers)
    assert first.status == again.status == 201
    assert again.body == first.body
    assert find(tenant, "0445550001") == [first.body["id"]]


def test_concurrent_retries_create_one_contact(tenant):
    # Concurrent Lambda instances race in DynamoDB: run the create logic itself from threads.
    from ringbridge.logic import contacts
    from ringbridge.models.contact_input import ContactCreate

    data = ContactCreate(first_name="Burst", phones=[{"number": "0445550002"}])
    barrier = threading.Barrier(6)
    created = []

    def create_once():
        barrier.wait()
        created.append(contacts.create_contact(tenant.scope, data, "burst").id)

    threads = [threading.Thread(target=create_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 6 and len(set(created)) == 1
    assert find(tenant, "0445550002") == created[:1]


def test_a_key_whose_record_expires_during_a_retry_answers_409(tenant):
    body, headers = {"first_name": "Expiring"}, {"Idempotency-Key": "expiring"}
    assert call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body, headers=headers).status == 201
    record = table.key(table.account_pk(tenant.account_id), contacts_dal.idempotency_sk("CreateContact", "expiring"))

    def expire(**_):  # DynamoDB's TTL removes the record right after the retry's write was refused
        aws.dynamodb().delete_item(TableName=table.name(), Key=record)

    with dynamodb_hook("after-call.dynamodb.TransactWriteItems", expire):
        answer = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body, headers=headers)

    assert answer.status == 409, answer.body
    assert answer.body["error"]["field"] == "Idempotency-Key"
    assert answer.body["error"]["message"] == "idempotency key expired while in use; retry"


def test_reusing_a_key_for_another_body_is_refused(tenant):
    headers = {"Idempotency-Key": "k1"}
    call("POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "A"}, headers=headers)
    answer = call("POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "B"}, headers=headers)
    assert answer.status == 422 and answer.body["error"]["field"] == "Idempotency-Key"


# --- UpdateContact --------------------------------------------------------------------------


def test_update_is_partial_and_moves_the_phone_index(tenant, ordered_clock):
    contact = new_ringotel_contact(tenant, job_title="Poet", phones=[{"number": "0441112233"}])
    answer = call(
        "PUT",
        f"/ringotel/contacts/{contact['id']}",
        tenant.rw_token,
        json_body={"phones": [{"number": "+380 67 123 45 67", "type": "mobile"}]},
    )
    assert answer.status == 200
    updated = answer.body
    assert updated["job_title"] == "Poet" and updated["first_name"] == "Ivan"  # untouched fields stay
    assert updated["version"] == 2 and updated["updated_at"] > contact["updated_at"]
    assert answer.headers["etag"] == '"2"'
    assert find(tenant, "0441112233") == []
    assert find(tenant, "0671234567") == [contact["id"]]
    # The copy found by number carries the new data too
    found = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": "0671234567"}).body
    assert found["contacts"][0] == updated


def test_a_stale_version_answers_409_with_the_current_contact(tenant):
    contact = new_ringotel_contact(tenant)
    url = f"/ringotel/contacts/{contact['id']}"
    assert call("PUT", url, tenant.rw_token, json_body={"job_title": "A", "version": 1}).status == 200
    stale = call("PUT", url, tenant.rw_token, json_body={"job_title": "B", "version": 1})
    assert stale.status == 409
    assert stale.body["contact"]["version"] == 2 and stale.body["contact"]["job_title"] == "A"
    stale_header = call("PUT", url, tenant.rw_token, json_body={"job_title": "B"}, headers={"If-Match": '"1"'})
    assert stale_header.status == 409
    fresh_header = call("PUT", url, tenant.rw_token, json_body={"job_title": "C"}, headers={"If-Match": '"2"'})
    assert fresh_header.status == 200 and fresh_header.body["version"] == 3


def test_clearing_the_company_unlinks_the_organization(tenant):
    contact = new_ringotel_contact(tenant, company_name="Acme")
    answer = call("PUT", f"/ringotel/contacts/{contact['id']}", tenant.rw_token, json_body={"company_name": None})
    assert answer.status == 200
    assert answer.body["company_name"] is None and answer.body["organization_id"] is None


# --- Lists and users ------------------------------------------------------------------------


def test_pages_cover_every_contact_exactly_once(tenant):
    created = {new_ringotel_contact(tenant, first_name=f"P{i}")["id"] for i in range(7)}
    seen, cursor = [], None
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = call("GET", "/ringotel/contacts", tenant.ro_token, query=query).body
        seen += [contact["id"] for contact in page["contacts"]]
        cursor = page["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created)


def test_users_hook_lists_the_accounts_users(tenant, other_tenant):
    answer = call("GET", "/ringotel/users", tenant.ro_token)
    assert answer.status == 200
    assert [user["id"] for user in answer.body["users"]] == [tenant.user_id]
    assert answer.body["users"][0]["extension"] == "101"


def test_a_function_url_event_is_served_like_an_api_event(tenant):
    contact = new_ringotel_contact(tenant, phones=[{"number": "0449990000"}])
    answer = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": "0449990000"}, function_url=True)
    assert answer.status == 200 and answer.body["contacts"][0]["id"] == contact["id"]


# --- Authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer rbk_X_Y_Z"}, {"Authorization": "Basic Zm9v"}])
def test_missing_or_unknown_tokens_answer_403_json(tenant, headers):
    answer = call("GET", "/ringotel/users", headers=headers)
    assert answer.status == 403 and answer.body["error"]["code"] == "forbidden"


def test_a_token_of_the_right_shape_but_wrong_secret_is_refused(tenant):
    forged = tenant.ro_token[:-4] + ("AAAA" if not tenant.ro_token.endswith("AAAA") else "BBBB")
    assert call("GET", "/ringotel/users", forged).status == 403


def test_basic_auth_with_the_token_as_user_name_works(tenant):
    import base64

    basic = base64.b64encode(f"{tenant.ro_token}:x".encode()).decode()
    assert call("GET", "/ringotel/users", headers={"Authorization": f"Basic {basic}"}).status == 200


def test_a_read_only_token_cannot_write(tenant):
    answer = call("POST", "/ringotel/contacts", tenant.ro_token, json_body={"first_name": "A"})
    assert answer.status == 403
    assert all_contacts(tenant) == []


def test_a_revoked_token_is_refused(tenant):
    from ringbridge.logic import accounts

    key_id, token = accounts.create_token(tenant.account_id, "rw")
    assert call("GET", "/ringotel/users", token).status == 200
    accounts.revoke_token(tenant.account_id, key_id)
    assert call("GET", "/ringotel/users", token).status == 403


def test_tokens_are_stored_only_as_hashes(tenant):
    from ringbridge.dal import accounts as accounts_dal

    stored = json.dumps(accounts_dal.list_tokens(tenant.account_id))
    assert tenant.rw_token.split("_", 3)[3] not in stored


# --- Bad input ------------------------------------------------------------------------------


def test_malformed_json_is_a_400(tenant):
    answer = call("POST", "/ringotel/contacts", tenant.rw_token, body='{"first_name": ')
    assert answer.status == 400 and answer.body["error"]["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": 5}, "first_name"),
        ({"first_name": "A", "nickname": "x"}, "nickname"),
        ({"first_name": "A", "phones": [{"number": "0441111111", "type": "pager"}]}, "phones.0.type"),
        ({"first_name": "A", "emails": ["not-an-email"]}, "emails.0"),
        ({"first_name": "A", "phones": [{"type": "mobile"}]}, "phones.0.number"),
        ({"job_title": "no name"}, ""),
    ],
)
def test_wrong_types_and_unknown_fields_are_422_naming_the_field(tenant, body, field):
    answer = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body)
    assert answer.status == 422, answer.body
    assert field in answer.body["error"]["field"]
    assert all_contacts(tenant) == []


def test_an_unreadable_phone_number_writes_nothing(tenant):
    answer = call(
        "POST",
        "/ringotel/contacts",
        tenant.rw_token,
        json_body={
            "first_name": "A",
            "company_name": "Ghost Corp",
            "phones": [{"number": "0441111111"}, {"number": "call me"}],
        },
    )
    assert answer.status == 422 and answer.body["error"]["field"] == "phones.1.number"
    assert all_contacts(tenant) == []
    assert call("GET", "/ringotel/organizations", tenant.ro_token).body["organizations"] == []
    assert find(tenant, "0441111111") == []


def test_an_unreadable_phone_on_update_changes_nothing(tenant):
    contact = new_ringotel_contact(tenant, phones=[{"number": "0441114444"}])
    answer = call(
        "PUT",
        f"/ringotel/contacts/{contact['id']}",
        tenant.rw_token,
        json_body={"job_title": "x", "phones": [{"number": "?"}]},
    )
    assert answer.status == 422
    assert find(tenant, "0441114444") == [contact["id"]]
    assert all_contacts(tenant)[0]["version"] == 1


def test_bodies_over_one_megabyte_are_refused(tenant):
    answer = call(
        "POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "A", "job_title": "x" * (1024 * 1024)}
    )
    assert answer.status == 413 and answer.body["error"]["field"] == "body"


@pytest.mark.parametrize("query", [{"cursor": "garbage!"}, {"limit": "0"}, {"limit": "many"}])
def test_bad_cursors_and_limits_are_refused(tenant, query):
    answer = call("GET", "/ringotel/contacts", tenant.ro_token, query=query)
    assert answer.status in (400, 422)
    assert answer.body["error"]["field"] in query


def test_find_needs_a_readable_phone(tenant):
    assert call("GET", "/ringotel/contacts/find", tenant.ro_token).body["error"]["field"] == "phone"
    answer = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": "hello"})
    assert answer.status == 422 and answer.body["error"]["field"] == "phone"


def test_a_region_sets_how_national_numbers_read():
    us = make_tenant("US")
    contact = new_ringotel_contact(us, phones=[{"number": "(415) 555-2671"}])
    assert find(us, "+1 415 555 2671") == [contact["id"]]


# --- What Ringotel sends: unset variables arrive as "" ------------------------------------------

# CreateContact's body as the integration document makes it when only the caller's number is known.
UNSET = {
    "first_name": "",
    "last_name": "",
    "job_title": "",
    "company_name": "",
    "phones": [{"number": "380671112233", "type": "work"}, {"number": "", "type": "mobile"}],
    "emails": [""],
}


def test_unset_variables_create_a_contact_with_only_what_was_given(tenant):
    answer = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=UNSET)
    assert answer.status == 201, answer.body
    contact = answer.body
    assert contact["first_name"] is None and contact["job_title"] is None and contact["company_name"] is None
    assert contact["emails"] == [] and contact["organization_id"] is None
    assert [phone["e164"] for phone in contact["phones"]] == ["+380671112233"]
    assert find(tenant, "0671112233") == [contact["id"]]


def test_a_contact_needs_something_to_know_it_by(tenant):
    nothing = {**UNSET, "phones": [{"number": "", "type": "work"}, {"number": " ", "type": "mobile"}]}
    answer = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=nothing)
    assert answer.status == 422
    assert "first_name, last_name, company_name, phones or emails" in answer.body["error"]["message"]
    assert all_contacts(tenant) == []


def test_unset_variables_on_update_change_nothing(tenant):
    contact = new_ringotel_contact(
        tenant,
        job_title="Poet",
        company_name="Lviv Press",
        phones=[{"number": "0441112233", "type": "work"}, {"number": "0501234567", "type": "mobile"}],
        emails=["ivan@example.com"],
    )
    blank = {**UNSET, "phones": [{"number": "", "type": "work"}, {"number": "", "type": "mobile"}], "version": ""}
    answer = call("PUT", f"/ringotel/contacts/{contact['id']}", tenant.rw_token, json_body=blank)
    assert answer.status == 200, answer.body
    unchanged = {key: value for key, value in answer.body.items() if key not in ("version", "updated_at")}
    assert unchanged == {key: value for key, value in contact.items() if key not in ("version", "updated_at")}
    # null (not "") is how a field is cleared
    cleared = call("PUT", f"/ringotel/contacts/{contact['id']}", tenant.rw_token, json_body={"job_title": None})
    assert cleared.body["job_title"] is None and cleared.body["company_name"] == "Lviv Press"


def test_a_phone_without_its_number_is_refused_on_update_not_taken_for_an_unset_one(tenant):
    contact = new_ringotel_contact(tenant, phones=[{"number": "0441112233", "type": "work"}])
    body = {"last_name": "Renamed", "phones": [{"number": "", "type": "work"}, {"type": "mobile"}]}
    answer = call("PUT", f"/ringotel/contacts/{contact['id']}", tenant.rw_token, json_body=body)
    assert answer.status == 422 and answer.body["error"]["field"] == "phones.1.number", answer.body
    assert all_contacts(tenant) == [contact]


def test_mobile_is_a_phone_of_type_mobile_and_answered_apart(tenant):
    # Given Ringotel's body with both $phone$ and $mobile$
    body = {
        **UNSET,
        "first_name": "Lesya",
        "phones": [{"number": "044 222 33 44", "type": "work"}, {"number": "067 555 66 77", "type": "mobile"}],
    }
    created = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body).body
    # Then both numbers find the contact, the mobile typed so
    assert [(p["type"], p["e164"]) for p in created["phones"]] == [
        ("work", "+380442223344"),
        ("mobile", "+380675556677"),
    ]
    assert find(tenant, "+380675556677") == find(tenant, "0442223344") == [created["id"]]
    # and the answer names them apart for $phone$ and $mobile$, in every list Ringotel reads
    assert created["phone"] == "044 222 33 44" and created["mobile"] == "067 555 66 77"
    found = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": "0675556677"}).body["contacts"]
    assert found[0]["mobile"] == "067 555 66 77"
    # A contact with only a mobile has no $phone$
    only_mobile = new_ringotel_contact(tenant, phones=[{"number": "0639998877", "type": "mobile"}])
    assert only_mobile["phone"] is None and only_mobile["mobile"] == "0639998877"


def test_users_answer_first_and_last_name(tenant):
    from ringbridge.logic import accounts

    accounts.create_user(tenant.account_id, "Ludwig van Beethoven", "lvb@example.com")
    accounts.create_user(tenant.account_id, "Cher", None)
    users = {user["name"]: user for user in call("GET", "/ringotel/users", tenant.ro_token).body["users"]}
    assert (users["Olena Petrenko"]["first_name"], users["Olena Petrenko"]["last_name"]) == ("Olena", "Petrenko")
    assert (users["Ludwig van Beethoven"]["first_name"], users["Ludwig van Beethoven"]["last_name"]) == (
        "Ludwig",
        "van Beethoven",
    )
    assert (users["Cher"]["first_name"], users["Cher"]["last_name"]) == ("Cher", None)
