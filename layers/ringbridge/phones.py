"""Phone numbers: one canonical form (E.164) for matching, whatever the caller typed.

With region UA, "+380 44 111 11 11", "380441111111", "0441111111", "(044) 111-11-11" and
"00380441111111" all become "+380441111111". Telephony systems often send international
numbers without "+" ("353212028252"), so a number that is not valid in the account's region
is tried again as an international one before it is refused.

phonenumbers is imported on first use: it costs tens of milliseconds of cold start, and most
functions that import this module's callers never parse a number. Everything used here is in its
phonenumberutil module, imported by itself (see ringbridge/coldstart.py).
"""

from ringbridge.errors import InvalidInput

MAX_LENGTH = 64


def to_e164(text: str, region: str, *, field: str = "phone") -> str:
    """Return the E.164 form of ``text`` or raise InvalidInput naming ``field``."""
    from phonenumbers import phonenumberutil
    from phonenumbers.phonenumberutil import NumberParseException, PhoneNumberFormat

    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise InvalidInput("is not a phone number", field=field)
    candidates = [text]
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.lstrip().startswith("+") and digits:
        candidates.append("+" + digits)
    possible = None
    for candidate in candidates:
        try:
            number = phonenumberutil.parse(candidate, region)
        except NumberParseException:
            continue
        if phonenumberutil.is_valid_number(number):
            return phonenumberutil.format_number(number, PhoneNumberFormat.E164)
        if possible is None and phonenumberutil.is_possible_number(number):
            possible = number
    if possible is not None:
        # Not in the numbering plan we know, but of a plausible length: keep it matchable.
        return phonenumberutil.format_number(possible, PhoneNumberFormat.E164)
    raise InvalidInput(f"{text!r} is not a phone number we can read (region {region})", field=field)


def is_region(code: str) -> bool:
    from phonenumbers.phonenumberutil import SUPPORTED_REGIONS

    return code.upper() in SUPPORTED_REGIONS
