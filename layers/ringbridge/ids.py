"""Identifiers: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32).

They sort by creation time, which keeps listings in a stable, meaningful order.
"""

import secrets

from ringbridge import clock

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    value = (int(clock.now().timestamp() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
