"""Phone numbers: one canonical form (E.164) for matching, whatever the caller typed.

With region UA, "+380 44 111 11 11", "380441111111", "0441111111", "(044) 111-11-11" and
"00380441111111" all become "+380441111111". Telephony systems often send international
numbers without "+" ("353212028252"), so a number that is not valid in the account's region
is tried again as an international one before it is refused.

phonenumbers is imported on first use: it costs tens of milliseconds of cold start, and most
functions that import this module's callers never parse a number. Everything used here is in its
phonenumberutil module, imported by itself (see ringbridge/coldstart.py).
"""

from typing import TYPE_CHECKING

from ringbridge.errors import InvalidInput

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

MAX_LENGTH = 64
# libphonenumber's number types (PhoneNumberType's names), as our messages and settings spell them.
TYPE_NAMES = {
    "FIXED_LINE": "fixed-line",
    "MOBILE": "mobile",
    "FIXED_LINE_OR_MOBILE": "fixed-line-or-mobile",
    "TOLL_FREE": "toll-free",
    "PREMIUM_RATE": "premium-rate",
    "SHARED_COST": "shared-cost",
    "VOIP": "voip",
    "PERSONAL_NUMBER": "personal",
    "PAGER": "pager",
    "UAN": "uan",
    "VOICEMAIL": "voicemail",
}
UNKNOWN_TYPE = "unknown"
# libphonenumber's region of the international networks and services (+800, +808, +870, +882, +883, +979, ...)
NON_GEOGRAPHIC = "001"


# A plain class, not a dataclass: making a dataclass compiles its methods at import, about a millisecond of
# every cold start each (this module is on the hooks' path).
class Classified:
    """A number as dialling rules see it."""

    __slots__ = ("country_code", "e164", "extension", "region", "type")

    def __init__(self, e164: str, country_code: int, region: str | None, type: str, extension: str | None) -> None:
        self.e164 = e164
        self.country_code = country_code
        self.region = region  # ISO 3166 code, NON_GEOGRAPHIC, or None for a number in no plan we know
        self.type = type  # a value of TYPE_NAMES, or UNKNOWN_TYPE (e.g. not in the numbering plan we know)
        self.extension = extension  # ";ext=1", "x99", "ext. 5", "#5", ",,5", ... as libphonenumber reads them


def to_e164(text: str, region: str, *, field: str = "phone") -> str:
    """Return the E.164 form of ``text`` or raise InvalidInput naming ``field``."""
    from phonenumbers.phonenumberutil import PhoneNumberFormat, format_number

    number, _ = _parse(text, region, field)
    return format_number(number, PhoneNumberFormat.E164)


def classify(text: str, region: str, *, field: str = "phone") -> Classified:
    """What ``text`` is (read as ``to_e164`` reads it): country, type, extension; InvalidInput if unreadable."""
    from phonenumbers import phonenumberutil
    from phonenumbers.phonenumberutil import PhoneNumberFormat, PhoneNumberType

    number, extension = _parse(text, region, field)
    valid = phonenumberutil.is_valid_number(number)
    kind = phonenumberutil.number_type(number) if valid else PhoneNumberType.UNKNOWN
    return Classified(
        e164=phonenumberutil.format_number(number, PhoneNumberFormat.E164),
        country_code=number.country_code or 0,
        region=phonenumberutil.region_code_for_number(number) if valid else None,
        type=next((name for key, name in TYPE_NAMES.items() if getattr(PhoneNumberType, key) == kind), UNKNOWN_TYPE),
        extension=extension,
    )


def _parse(text: str, region: str, field: str) -> "tuple[PhoneNumber, str | None]":
    """The number ``text`` names (a valid reading first, else a plausible one) and any extension it had."""
    from phonenumbers import phonenumberutil
    from phonenumbers.phonenumberutil import NumberParseException

    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise InvalidInput("is not a phone number", field=field)
    candidates = [text]
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.lstrip().startswith("+") and digits:
        candidates.append("+" + digits)
    possible = None
    extension = None  # the "+digits" retry glues an extension's digits on: remember the first reading's
    for candidate in candidates:
        try:
            number = phonenumberutil.parse(candidate, region)
        except NumberParseException:
            continue
        extension = extension or number.extension
        if phonenumberutil.is_valid_number(number):
            return number, extension
        if possible is None and phonenumberutil.is_possible_number(number):
            possible = number
    if possible is not None:
        # Not in the numbering plan we know, but of a plausible length: keep it matchable.
        return possible, extension
    raise InvalidInput(f"{text!r} is not a phone number we can read (region {region})", field=field)


def is_region(code: str) -> bool:
    from phonenumbers.phonenumberutil import SUPPORTED_REGIONS

    return code.upper() in SUPPORTED_REGIONS
