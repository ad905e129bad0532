"""HTTP to a vendor's API (Ringostat, RingCloud): one request, and what a failed one means.

A request never follows a redirect (a URL may carry a credential, and the next host is not ours to
trust) and is bounded by a connect and a read timeout. A failure is *transient*, worth retrying,
when it is a timeout, a broken connection, or an answer 408, 429 or 5xx; any other one a retry would
only repeat. Error texts are redacted (credentials taken out) and cut short: safe to log and store.
"""

from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ringbridge import clock

CONNECT_TIMEOUT_SECONDS = 3.05
ERROR_TEXT_LIMIT = 200


class NoAnswer(Exception):
    """The request got no HTTP answer. The message is the error's type only: its text may hold the URL."""

    def __init__(self, error: requests.RequestException) -> None:
        super().__init__(type(error).__name__)
        self.transient = isinstance(error, requests.Timeout | requests.ConnectionError)
        self.detail = str(error)


def send(session: requests.Session, method: str, url: str, timeout: float, **options: Any) -> requests.Response:
    """One request, answered within ``timeout`` seconds; raises NoAnswer."""
    try:
        return session.request(
            method, url, timeout=(min(CONNECT_TIMEOUT_SECONDS, timeout), timeout), allow_redirects=False, **options
        )
    except requests.RequestException as error:
        raise NoAnswer(error) from None


def is_transient(status: int) -> bool:
    """An answer a retry may turn into a success: the vendor timed out, is limiting us, or is failing."""
    return status in (408, 429) or status >= 500


def redacted(text: str, secrets: Iterable[str]) -> str:
    """``text`` without any secret, as it is or escaped as Python quotes it (requests' refusal of a header
    quotes a value with a line break in it escaped)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]").replace(repr(secret)[1:-1], "[redacted]")
    return text[:ERROR_TEXT_LIMIT].strip()


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.now()).total_seconds())
    except (TypeError, ValueError):  # unparseable, or a date without a zone
        return None
