import pytest
from pydantic import ValidationError

from ringbridge.models.contact_input import ContactCreate


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


def test_blank_strings_are_absent_but_null_and_empty_lists_are_values():
    from ringbridge.models.contact_input import RingotelContactUpdate

    sent = {
        "first_name": "",
        "last_name": "  ",
        "job_title": None,
        "emails": [],
        "phones": [{"number": "", "type": "work"}, {"number": "0671234567", "type": ""}],
    }
    update = RingotelContactUpdate.model_validate(sent)
    # blank: not sent; null and [] are what the client asks for (clear, empty)
    assert update.model_dump(exclude_unset=True) == {
        "job_title": None,
        "emails": [],
        "phones": [{"number": "0671234567"}],
    }
    assert update.phones and update.phones[0].type == "work"  # a blank type takes the default
    assert (
        "phones"
        not in RingotelContactUpdate.model_validate({"phones": [{"number": " ", "type": "mobile"}]}).model_fields_set
    )
