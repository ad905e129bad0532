import pytest
from pydantic import ValidationError

from ringbridge.models.contacts import ContactCreate


def test_a_contact_needs_a_first_or_last_name():
    assert ContactCreate(last_name="Shevchenko").last_name == "Shevchenko"
    with pytest.raises(ValidationError, match="first_name or last_name"):
        ContactCreate(job_title="CEO")


def test_unknown_fields_and_wrong_types_are_refused():
    with pytest.raises(ValidationError, match="nickname"):
        ContactCreate(first_name="A", nickname="x")
    with pytest.raises(ValidationError, match="phones"):
        ContactCreate(first_name="A", phones="0441111111")


def test_phone_types_are_the_documented_ones():
    with pytest.raises(ValidationError, match="type"):
        ContactCreate(first_name="A", phones=[{"number": "0441111111", "type": "pager"}])
