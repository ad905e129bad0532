"""Ringostat payloads and settings: pure rules, no AWS and no HTTP."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from pydantic import ValidationError

from ringbridge import clock
from ringbridge.budget import Budget
from ringbridge.logic import ringostat_payloads
from ringbridge.models.ringostat import RingostatConfig
from ringbridge.ringostat_client import Rejected, RingostatClient
from ringbridge.vendor_http import retry_after_seconds
from ringbridge_tools.fakes.ringostat import CONTACT_FIELDS, ORGANIZATION_FIELDS

CONFIG = RingostatConfig(project_id=106, origin="ringbridge", contact_link="https://crm.example.com/c/{id}")
OWNERS = {
    "U1": {"id": "U1", "name": "Olena Petrenko", "email": "olena@example.com"},
    "U2": {"id": "U2", "name": "Taras Shevchenko", "email": None},
}


def contact(**fields) -> dict:
    return {"id": "C1", "first_name": None, "last_name": None, "phones": [], "emails": [], **fields}


def test_a_contact_payload_has_exactly_the_seed_keys_with_nulls_where_allowed():
    payload = ringostat_payloads.contact_payload(contact(first_name="Ivan"), CONFIG, OWNERS)

    assert set(payload) == set(CONTACT_FIELDS)
    assert payload["projectId"] == 106 and isinstance(payload["projectId"], int)
    assert payload["externalId"] == "C1"
    assert payload["contactLink"] == "https://crm.example.com/c/C1"
    assert [payload[k] for k in ("leadId", "staffId", "leadLink", "dealLink", "googleClientId")] == [None] * 5
    assert payload["organizations"] is None
    assert payload["contactDirections"] == []


def test_phones_are_international_digits_once_each_and_emails_follow():
    phones = [
        {"number": "044 111 11 11", "type": "work", "e164": "+380441111111"},
        {"number": "+380441111111", "type": "home", "e164": "+380441111111"},
        {"number": "+1 212 555 0100", "type": "mobile", "e164": "+12125550100"},
    ]
    payload = ringostat_payloads.contact_payload(
        contact(first_name="Ivan", last_name="Franko", phones=phones, emails=["i@example.com"]), CONFIG, OWNERS
    )

    assert payload["contactDirections"] == [
        {"type": "phone", "name": "Ivan Franko", "value": "380441111111"},
        {"type": "phone", "name": "Ivan Franko", "value": "12125550100"},
        {"type": "email", "name": "Ivan Franko", "value": "i@example.com"},
    ]


@pytest.mark.parametrize(
    ("fields", "full_name"),
    [
        ({"first_name": "Ivan", "last_name": "Franko"}, "Ivan Franko"),
        ({"last_name": "Franko"}, "Franko"),
        ({"company_name": "Acme"}, "Acme"),
        ({"emails": ["i@example.com"]}, "i@example.com"),
        ({"phones": [{"number": "044 111 11 11", "type": "work", "e164": "+380441111111"}]}, "044 111 11 11"),
        ({}, "C1"),
    ],
)
def test_full_name_is_never_empty(fields, full_name):
    assert ringostat_payloads.contact_payload(contact(**fields), CONFIG, OWNERS)["fullName"] == full_name


@pytest.mark.parametrize(
    ("owner_id", "responsible"),
    [("U1", "olena@example.com"), ("U2", "Taras Shevchenko"), (None, "ringbridge"), ("gone", "ringbridge")],
)
def test_responsible_is_the_owner_by_email_then_name_else_the_crm(owner_id, responsible):
    assert ringostat_payloads.contact_payload(contact(owner_id=owner_id), CONFIG, OWNERS)["responsible"] == responsible


def test_a_contact_in_an_organization_carries_it():
    payload = ringostat_payloads.contact_payload(contact(company_name="Acme", organization_id="O1"), CONFIG, OWNERS)

    assert payload["organizations"] == [{"projectId": 106, "name": "Acme", "externalId": "O1", "origin": "ringbridge"}]
    assert set(payload["organizations"][0]) == set(ORGANIZATION_FIELDS)


def test_an_organization_payload():
    organization = {"id": "O1", "name": "Acme", "created_at": "x", "updated_at": "x"}

    assert ringostat_payloads.organization_payload(organization, CONFIG) == {
        "projectId": 106,
        "name": "Acme",
        "externalId": "O1",
        "origin": "ringbridge",
    }


@pytest.mark.parametrize(
    ("link", "problem"),
    [("https://crm.example.com/contacts", "{id}"), ("crm/contacts/{id}", "URL"), ("ftp://x/{id}", "URL")],
)
def test_a_contact_link_must_be_a_web_address_with_an_id_placeholder(link, problem):
    with pytest.raises(ValidationError, match=problem):
        RingostatConfig(project_id=1, origin="crm", contact_link=link)


def test_retry_after_in_seconds_or_as_a_date():
    with clock.manual(datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)):
        later = clock.now() + timedelta(seconds=120)

        assert retry_after_seconds("7") == 7.0
        assert retry_after_seconds(format_datetime(later, usegmt=True)) == 120.0
        assert retry_after_seconds(format_datetime(clock.now() - timedelta(seconds=5), usegmt=True)) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_the_run_budget_stops_well_before_the_lambda_timeout():
    with clock.manual() as time:
        long_run, short_run = Budget.for_lambda(300_000), Budget.for_lambda(10_000)

        assert long_run.remaining() == pytest.approx(290, abs=1e-6)  # 10 s kept to record where it stopped
        assert short_run.remaining() == pytest.approx(7.5, abs=1e-6)  # a quarter of a short one
        time.advance(100)
        assert long_run.remaining() == pytest.approx(190, abs=1e-6)
        assert short_run.remaining() == pytest.approx(-92.5, abs=1e-6)


def test_an_auth_key_stored_with_a_line_break_never_reaches_the_error_text():
    # A key stored before configure refused line breaks: requests refuses the header before sending it, and
    # its message quotes the key escaped ("s3cr3t\\nkey"); the recorded error must hold neither form.
    client = RingostatClient(requests.Session(), "http://127.0.0.1:9", 601, "s3cr3t\nkey")

    with pytest.raises(Rejected) as refused:
        client.sync_contacts([], timeout=1)

    assert "[redacted]" in str(refused.value)
    assert "s3cr3t" not in str(refused.value)
