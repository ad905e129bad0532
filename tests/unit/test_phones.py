import pytest
from pydantic import ValidationError

from ringbridge import phones
from ringbridge.errors import InvalidInput
from ringbridge.models.ringcloud import ALLOWABLE_TYPES, DIALLED_TYPES, RingcloudConfig
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


@pytest.mark.parametrize(
    ("text", "region", "e164", "country", "kind"),
    [
        ("044 111 1111", "UA", "+380441111111", "UA", "fixed-line"),
        ("+380 50 123 4567", "UA", "+380501234567", "UA", "mobile"),
        ("+1 212 456 7890", "UA", "+12124567890", "US", "fixed-line-or-mobile"),
        ("0 800 123 456", "UA", "+380800123456", "UA", "toll-free"),
        ("+1 900 555 0100", "UA", "+19005550100", "US", "premium-rate"),
        ("+1 876 210 1234", "US", "+18762101234", "JM", "mobile"),  # +1, but Jamaica
        ("+44 76 2412 3456", "UA", "+447624123456", "IM", "mobile"),  # +44, but the Isle of Man
        ("+882 16 1234 5678", "UA", "+8821612345678", phones.NON_GEOGRAPHIC, "voip"),
        ("+979 123456789", "UA", "+979123456789", phones.NON_GEOGRAPHIC, "premium-rate"),
        ("+380 900 123 456", "UA", "+380900123456", None, phones.UNKNOWN_TYPE),  # plausible, but in no plan
    ],
)
def test_classify_tells_the_country_by_the_number_and_libphonenumbers_type(text, region, e164, country, kind):
    number = phones.classify(text, region, field="number")
    assert (number.e164, number.region, number.type, number.extension) == (e164, country, kind, None)


@pytest.mark.parametrize(
    ("text", "extension"),
    [
        ("+380441111111;ext=1", "1"),
        ("+380 44 111 11 11 x99", "99"),
        ("044 111 1111 ext. 5", "5"),
        ("+380441111111#5", "5"),
        ("+380441111111,,5", "5"),
        ("tel:+380441111111;ext=1", "1"),
    ],
)
def test_classify_keeps_the_extension_that_to_e164_drops(text, extension):
    assert to_e164(text, "UA") == "+380441111111"
    assert phones.classify(text, "UA").extension == extension


def test_an_extension_is_seen_even_when_the_digits_are_read_again_as_international():
    # Not a UA number, so its digits are retried as "+44…", the extension's glued on: a valid GB number.
    assert phones.classify("44207946000 x0", "UA").extension == "0"


def test_every_libphonenumber_type_is_either_always_dialled_or_allowable():
    from phonenumbers.phonenumberutil import PhoneNumberType

    named = {name for name in vars(PhoneNumberType) if name.isupper()} - {"UNKNOWN"}
    assert set(phones.TYPE_NAMES) == named
    assert sorted(phones.TYPE_NAMES.values()) == sorted(DIALLED_TYPES + ALLOWABLE_TYPES)


def test_the_config_normalises_allowed_countries_and_types_and_refuses_unknown_ones():
    config = RingcloudConfig(api_key="12_abc", allowed_countries=["pl", " DE ", "PL", ""], allowed_types=["VOIP", ""])
    assert (config.allowed_countries, config.allowed_types) == (["DE", "PL"], ["voip"])
    assert RingcloudConfig(api_key="12_abc").allowed_countries == []  # a config stored before the policy
    for change in ({"allowed_countries": ["XX"]}, {"allowed_countries": ["001"]}, {"allowed_types": ["mobile"]}):
        with pytest.raises(ValidationError):
            RingcloudConfig(api_key="12_abc", **change)
