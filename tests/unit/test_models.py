import jsonschema
import pytest
from pydantic import ValidationError

from ringbridge.models.activities import ActivityAssign, ActivityCreate, ActivityUpdate
from ringbridge.models.contact_input import ContactCreate, RingotelContactCreate, RingotelContactUpdate


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
    # a list left empty by its blanks is left out, and the fields after it are read still
    emptied = RingotelContactUpdate.model_validate({"phones": [{"number": ""}], "first_name": "Lesya"})
    assert emptied.model_dump(exclude_unset=True) == {"first_name": "Lesya"}


def test_a_phone_without_its_number_is_refused_not_taken_for_a_blank_one():
    # the published schema requires "number" in a blank element too; {} or {"type": ...} is a client's mistake
    for model in (RingotelContactCreate, RingotelContactUpdate):
        with pytest.raises(ValidationError) as refused:
            model.model_validate({"last_name": "B", "phones": [{}, {"type": "mobile"}]})
        assert {(error["loc"], error["type"]) for error in refused.value.errors()} == {
            (("phones", 0, "number"), "missing"),
            (("phones", 1, "number"), "missing"),
        }


def test_a_refused_element_is_named_by_its_place_as_sent_blanks_included():
    sent = {"emails": ["", "ivan@example.com", "not-an-email"], "phones": [{"number": " "}, {"number": "1", "x": 1}]}
    with pytest.raises(ValidationError) as refused:
        RingotelContactUpdate.model_validate(sent)
    assert [(error["loc"], error["type"]) for error in refused.value.errors()] == [
        (("phones", 1, "x"), "extra_forbidden"),
        (("emails", 2), "string_pattern_mismatch"),
    ]


CONTACTS = (RingotelContactCreate, RingotelContactUpdate)


@pytest.mark.parametrize(
    ("models", "body", "accepted"),
    [
        (
            CONTACTS,
            {"first_name": "A", "phones": [{"number": "", "type": "mobile"}, " ", {"number": "1", "type": " "}]},
            True,
        ),
        (CONTACTS, {"first_name": "A", "emails": [" ", "ivan@example.com"], "job_title": ""}, True),
        (CONTACTS, {"first_name": "A", "phones": [{"number": "1", "extension": ""}]}, True),
        (CONTACTS, {"first_name": "A", "emails": [""], "nickname": ""}, True),
        (CONTACTS, {"first_name": "A", "phones": [{"type": "mobile"}]}, False),
        (CONTACTS, {"first_name": "A", "phones": [{"number": "1", "type": "pager"}]}, False),
        (CONTACTS, {"first_name": "A", "phones": ["0441112233"]}, False),
        (CONTACTS, {"first_name": "A", "nickname": "x"}, False),
        ((ActivityCreate,), {"call_id": "c-1", "direction": "", "subject": " ", "note": ""}, True),
        ((ActivityCreate,), {"call_id": " ", "direction": "in"}, False),
        ((ActivityUpdate,), {"subject": "", "version": "", "note": " "}, True),
        ((ActivityAssign,), {"contact_id": "c1", "note": ""}, True),
        ((ActivityAssign,), {"contact_id": ""}, False),
    ],
)
def test_ringotels_published_schema_accepts_a_blank_exactly_where_the_model_does(models, body, accepted):
    for model in models:
        try:
            model.model_validate(body)
            assert accepted, (model, body)
        except ValidationError:
            assert not accepted, (model, body)
        assert jsonschema.Draft202012Validator(model.model_json_schema()).is_valid(body) == accepted, (model, body)
