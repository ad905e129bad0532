import pytest

from ringbridge.errors import InvalidInput
from ringbridge.phones import to_e164


@pytest.mark.parametrize(
    "text", ["+380 44 111 11 11", "380441111111", "0441111111", "(044) 111-11-11", "00380441111111"]
)
def test_every_ukrainian_format_names_the_same_number(text):
    assert to_e164(text, "UA") == "+380441111111"


def test_digits_without_plus_from_a_pbx_are_read_as_international():
    # Ringotel sends "353212028252" for an Irish number, whatever the account's region.
    assert to_e164("353212028252", "UA") == "+353212028252"


def test_national_format_depends_on_the_account_region():
    assert to_e164("(415) 555-2671", "US") == "+14155552671"
    assert to_e164("+1 415 555 2671", "UA") == "+14155552671"


@pytest.mark.parametrize("text", ["", "   ", "abc", "12", "x" * 65])
def test_unreadable_numbers_are_refused_naming_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        to_e164(text, "UA", field="phones.0.number")
    assert refused.value.field == "phones.0.number"
