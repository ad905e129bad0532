"""Contacts and Organizations without `limit`: the whole list in one answer, gzip when accepted, cut at 6 MB."""

import base64
import gzip
import json
from datetime import timedelta

from ringbridge import aws, clock, http_lists, ids
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import table
from ringbridge.dal.items import ContactItem
from ringbridge.http_lists import ENVELOPE_BYTES
from ringbridge.models.contacts import Contact
from ringbridge.models.organizations import Organization
from tests.support.api import call, lambda_answer


def seed(tenant, count: int, *, large: bool = False) -> set[str]:
    """``count`` contacts stored exactly as CreateContact stores them, written in batches (fast).

    ``large``: 20 long emails each (~5 KB), so that a few hundred fill more than one 1 MB Query page
    (the emulator is too slow for the thousands of ordinary contacts that would take).
    """
    items = []
    created: set[str] = set()
    for index in range(count):
        now = clock.now_iso()
        contact: ContactItem = {
            "id": ids.new_id(),
            "first_name": f"Олена {index}",
            "last_name": "Петренко",
            "emails": [f"{'x' * 230}.{index}.{k}@example.com" for k in range(20)] if large else [],
            "version": 1,
            "phones": []
            if large
            else [{"number": f"+38067{index:07d}", "type": "mobile", "e164": f"+38067{index:07d}"}],
            "created_at": now,
            "updated_at": now,
        }
        created.add(contact["id"])
        items += [put["Put"]["Item"] for put in contacts_dal.contact_puts(tenant.account_id, contact, None)]
    for offset in range(0, len(items), 25):
        request = {table.name(): [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]}
        while request:
            request = aws.dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems")
    return created


def invoke(tenant, path: str, accept_encoding: str | None = None, **query: str) -> dict:
    """The raw Lambda answer of the function serving ``GET path`` (to measure its payload)."""
    headers = {"authorization": f"Bearer {tenant.ro_token}"}
    if accept_encoding is not None:
        headers["accept-encoding"] = accept_encoding
    return lambda_answer("GET", path, query=query, headers=headers)


def body_of(answer: dict) -> dict:
    if answer["isBase64Encoded"]:
        assert answer["headers"]["Content-Encoding"] == "gzip"
        return json.loads(gzip.decompress(base64.b64decode(answer["body"])))
    assert "Content-Encoding" not in answer["headers"]
    return json.loads(answer["body"])


def test_without_limit_every_contact_comes_in_one_answer_read_page_by_page(tenant, other_tenant, no_scan):
    # Given more contacts than one DynamoDB Query page (1 MB) holds, and another account's contacts
    created = seed(tenant, 230, large=True)
    seed(other_tenant, 5)
    no_scan.clear()
    # When Ringotel lists them without limit, accepting gzip as HTTP clients do
    answer = invoke(tenant, "/ringotel/contacts", "gzip, deflate")
    # Then every contact of the account is in one gzip answer, once, and nothing is left out
    assert answer["statusCode"] == 200
    listed = body_of(answer)
    assert listed["next"] is None
    assert [contact["id"] for contact in listed["contacts"]] == sorted(created)
    assert answer["headers"]["Vary"] == "Accept-Encoding"
    # read with a loop of Queries (never a Scan)
    assert no_scan.count("Query") >= 2 and set(no_scan) <= {"Query", "BatchGetItem"}
    # and each contact is the same as the paged list shows it
    page = call("GET", "/ringotel/contacts", tenant.ro_token, query={"limit": "3"}).body
    assert listed["contacts"][:3] == page["contacts"]
    Contact.model_validate(listed["contacts"][0])
    # and what surrounds the body in Lambda's payload is within what the 6 MB bound keeps for it
    assert len(json.dumps({**answer, "body": ""})) < ENVELOPE_BYTES


def test_the_same_list_comes_plain_when_gzip_is_not_accepted(tenant):
    seed(tenant, 40)
    zipped = invoke(tenant, "/ringotel/contacts", "br, gzip;q=0.5")
    assert zipped["isBase64Encoded"]
    for refused in (None, "identity", "gzip;q=0", "br", "*;q=0"):
        plain = invoke(tenant, "/ringotel/contacts", refused)
        assert not plain["isBase64Encoded"], refused
        assert body_of(plain) == body_of(zipped)
    assert invoke(tenant, "/ringotel/contacts", "*")["isBase64Encoded"]


def test_a_function_url_gets_the_gzip_body_base64_encoded_too(tenant):
    seed(tenant, 3)
    answer = call("GET", "/ringotel/contacts", tenant.ro_token, headers={"accept-encoding": "gzip"}, function_url=True)
    assert answer.status == 200 and answer.headers["content-encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(base64.b64decode(answer.body)))["contacts"]) == 3


def test_with_limit_the_answer_is_still_a_page(tenant):
    seed(tenant, 5)
    first = call("GET", "/ringotel/contacts", tenant.ro_token, query={"limit": "2"}).body
    assert len(first["contacts"]) == 2 and first["next"]
    rest = call("GET", "/ringotel/contacts", tenant.ro_token, query={"cursor": first["next"]}).body
    assert len(rest["contacts"]) == 3 and rest["next"] is None


def test_organizations_come_whole_too(tenant, other_tenant):
    names = {f"Company {index}" for index in range(7)}
    for name in names:
        body = {"first_name": "Ivan", "company_name": name}
        assert call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body).status == 201
    call("POST", "/ringotel/contacts", other_tenant.rw_token, json_body={"first_name": "X", "company_name": "Other"})
    listed = body_of(invoke(tenant, "/ringotel/organizations", "gzip"))
    assert {org["name"] for org in listed["organizations"]} == names and listed["next"] is None
    Organization.model_validate(listed["organizations"][0])
    assert call("GET", "/ringotel/organizations", tenant.ro_token, query={"cursor": "bad"}).status == 422


def test_a_list_cut_at_its_deadline_resumes_where_it_stopped(tenant, monkeypatch):
    # Given 10 contacts, and a list that may grow for 5 s on a clock that moves 1 s at each reading
    created = seed(tenant, 10)
    monkeypatch.setattr(http_lists, "deadline", lambda _: clock.now() + timedelta(seconds=5))
    with clock.manual(step=timedelta(seconds=1)):
        first = call("GET", "/ringotel/contacts", tenant.ro_token).body
    # Then the answer stops early and names the rest, and following `next` brings the rest, once
    assert len(first["contacts"]) == 5 and first["next"]  # the first, then four readings before the fifth
    rest = call("GET", "/ringotel/contacts", tenant.ro_token, query={"cursor": first["next"]}).body
    assert rest["next"] is None
    assert [contact["id"] for contact in first["contacts"] + rest["contacts"]] == sorted(created)
