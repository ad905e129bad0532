"""A token's requests-a-minute limit (set per token by the admin CLI; none by default).

Fixed one-minute windows: simple, one item per token and minute, and a burst can at most
double the rate across a window's edge.
"""

from ringbridge import clock
from ringbridge.caller import Caller
from ringbridge.dal import accounts as accounts_dal
from ringbridge.errors import TooManyRequests


def count_request(caller: Caller) -> None:
    """Count the request against the token's limit, if it has one (then one DynamoDB call; else none).

    Raises TooManyRequests (429, with Retry-After: the seconds to the next minute) past the limit.
    """
    if not caller.rate_limit_per_minute:
        return
    now = clock.now().timestamp()
    minute = int(now // 60)
    if not accounts_dal.count_request(caller.account_id, caller.key_id, minute, caller.rate_limit_per_minute):
        retry_after = max(1, (minute + 1) * 60 - int(now))
        raise TooManyRequests(
            f"this token is limited to {caller.rate_limit_per_minute} requests a minute",
            retry_after=retry_after,
            field="Authorization",
        )
