"""HTTP to RingCloud's REST API: signed URLs, its answer envelope, its rate limits, retries.

Every URL carries ``?api_key=KEY&hash=md5(KEY + PASSWORD)``: a URL is a credential, so none is
ever logged or put in an error message (messages name the method and path only).

RingCloud counts requests per key and, within a key, per identical URL (query included). Before
each request the client claims the URL's turn in DynamoDB (dal.ringcloud_spacing: one conditional
write), so that no process (two import runs in a row, click-to-call) requests it again within the
spacing of RingCloud's table; within a process it also waits the spacing after each answer. So a
limit is never hit by us. A 408, 429 or 5xx (someone else using the same key, a busy RingCloud) is
retried as ringbridge.retry's policy says, while the run's time budget allows; a 403 (a wrong key or
password) is never retried: a retry would only repeat it.
"""

import hashlib
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from ringbridge import clock, vendor_http
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import ringcloud_spacing
from ringbridge.retry import MIN_REQUEST_SECONDS, GaveUp, RetryPolicy

# (method, path pattern, seconds between two requests for the same URL with the same key).
SPACING: list[tuple[str, re.Pattern[str], float]] = [
    ("GET", re.compile(r"^/v1/users$"), 1.0),
    ("GET", re.compile(r"^/v1/users/[^/]+$"), 1.0),
    ("GET", re.compile(r"^/v1/users/[^/]+/records$"), 5.0),
    ("GET", re.compile(r"^/v1/calls/channels(/[^/]+)?$"), 2.0),
    ("GET", re.compile(r"^/v1/calls/(complete|active)$"), 5.0),
    ("POST", re.compile(r"^/v1/calls$"), 5.0),
    ("POST", re.compile(r"^/v1/users/create$"), 60.0),
]
DEFAULT_SPACING_SECONDS = 1.0  # downloads of a recording, and anything else
# A turn claimed in DynamoDB lasts this much longer than the spacing: RingCloud counts from a request's
# arrival, some time after the claim, and another process's next request may arrive sooner after its own.
ARRIVAL_MARGIN_SECONDS = 0.5

# (api key, method, path?query) -> clock.monotonic() of this process's last request (or its answer).
_last_request: dict[tuple[str, str, str], float] = {}


def spacing(method: str, path: str) -> float:
    for wanted, pattern, seconds in SPACING:
        if wanted == method and pattern.match(path):
            return seconds
    return DEFAULT_SPACING_SECONDS


def _sleep(delay: float, budget: Budget) -> None:
    """Wait ``delay`` seconds; OutOfTime when the budget would leave too little for the request after it."""
    if delay > 0:
        if delay > budget.remaining() - MIN_REQUEST_SECONDS:
            raise OutOfTime
        clock.sleep(delay)


class RingcloudError(Exception):
    """A request did not succeed. The message is safe to log and store: no key, hash or URL."""


class Refused(RingcloudError):
    """RingCloud refused the request itself (400, 403 for a wrong key or password, 404, 405, or an error envelope):
    a retry would repeat it."""


class Unavailable(RingcloudError):
    """408, 429, 5xx, a timeout or a broken connection, after the retries the budget allowed."""

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status  # None: no HTTP answer at all


class RingcloudClient:
    """One RingCloud API key, as configured by ``account_id`` (whose partition holds the key's turns).

    Share a ``requests.Session`` between clients to reuse connections.
    """

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        api_key: str,
        password: str,
        *,
        account_id: str,
        timeout: float,
        backoff: float,
        max_attempts: int,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._account_id = account_id
        self._hash = hashlib.md5((api_key + password).encode(), usedforsecurity=False).hexdigest()
        self._timeout = timeout
        self._retry = RetryPolicy(max_attempts, backoff)

    def user_names(self, budget: Budget) -> dict[str, str]:
        """RingCloud's user name by extension (``num``); an element that is not such a pair is skipped."""
        users = _list(self._request("GET", "/v1/users", {}, None, budget), "/v1/users")
        return {
            str(user["num"]).strip(): str(user["user"]).strip()
            for user in users
            if isinstance(user, dict) and _short_text(user.get("num")) and _short_text(user.get("user"))
        }

    def completed_calls(self, days: int, budget: Budget) -> list[Any]:
        return _list(
            self._request("GET", "/v1/calls/complete", {"days": str(days)}, None, budget), "/v1/calls/complete"
        )

    def originate(self, user: str, number: str, budget: Budget) -> None:
        """POST /v1/calls once: a retry could ring the user twice, and RingCloud allows one per 5 s anyway."""
        self._request("POST", "/v1/calls", {}, {"params": {"user": user, "num": number}}, budget, retry=False)

    def recording_url(self, rec_file: str, budget: Budget) -> str:
        """The signed URL of a recording, once its spacing allows a request; refuses another host."""
        parts = urlsplit(rec_file)
        if parts.scheme or parts.netloc:
            base = urlsplit(self._base_url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
                raise Refused("a recording's rec_file points outside the RingCloud API host; not fetched")
        path = "/" + parts.path.lstrip("/")
        self._wait_turn("GET", path, parts.query, budget)
        return self._signed(path, parts.query)

    def _signed(self, path: str, query: str) -> str:
        credentials = urlencode({"api_key": self._api_key, "hash": self._hash})
        return f"{self._base_url}{path}?{query + '&' if query else ''}{credentials}"

    def _wait_turn(self, method: str, path: str, query: str, budget: Budget) -> None:
        """Sleep until RingCloud's spacing for this URL has passed, here and in every process; claim it now."""
        seconds = spacing(method, path)
        last = _last_request.get((self._api_key, method, f"{path}?{query}"))
        if last is not None:
            _sleep(last + seconds - clock.monotonic(), budget)
        request = f"{method} {path}?{query}"
        window_ms = round((seconds + ARRIVAL_MARGIN_SECONDS) * 1000)
        while True:
            now_ms = round(clock.now().timestamp() * 1000)
            frees_at = ringcloud_spacing.take_turn(self._account_id, self._api_key, request, now_ms, window_ms)
            if frees_at is None:
                break
            _sleep((frees_at - now_ms) / 1000, budget)  # another process took the turn: try for the next
        self._mark(method, path, query)

    def _mark(self, method: str, path: str, query: str) -> None:
        """Requested now. Marked again once an answer is in: RingCloud counts from the request's arrival,
        which is somewhere between the two, so the later mark keeps the next request outside the window."""
        _last_request[(self._api_key, method, f"{path}?{query}")] = clock.monotonic()

    def _request(
        self, method: str, path: str, query: dict[str, str], body: Any, budget: Budget, *, retry: bool = True
    ) -> Any:
        """The ``data`` of a success envelope; retries transient failures (vendor_http) within the budget."""
        encoded = urlencode(query)
        attempt = 0
        while True:
            attempt += 1
            self._wait_turn(method, path, encoded, budget)
            timeout = min(self._timeout, budget.remaining())
            if timeout < MIN_REQUEST_SECONDS:
                raise OutOfTime
            try:
                data = self._once(method, path, encoded, body, timeout)
            except Unavailable as problem:
                self._mark(method, path, encoded)
                if not retry:
                    raise
                try:
                    delay = self._retry.wait(attempt, problem.retry_after, budget)
                except (GaveUp, OutOfTime):
                    raise problem from None  # what RingCloud answered is the reason, not our giving up
                clock.sleep(delay)
            else:
                self._mark(method, path, encoded)
                return data

    def _once(self, method: str, path: str, query: str, body: Any, timeout: float) -> Any:
        where = f"{method} {path}"
        try:
            answer = vendor_http.send(self._session, method, self._signed(path, query), timeout, json=body)
        except vendor_http.NoAnswer as error:  # its detail is not kept: it may hold the signed URL
            raise (Unavailable if error.transient else Refused)(f"{error} calling RingCloud {where}") from None
        if answer.status_code == 200:
            try:
                envelope = answer.json()
            except ValueError:
                raise Unavailable(f"RingCloud answered {where} with a body that is not JSON") from None
            if isinstance(envelope, dict) and envelope.get("status") == "success":
                return envelope.get("data")
            raise Refused(f"RingCloud answered {where} with an error: {self._message(answer)}")
        problem = f"RingCloud answered HTTP {answer.status_code} to {where}: {self._message(answer)}"
        if vendor_http.is_transient(answer.status_code):
            retry_after = vendor_http.retry_after_seconds(answer.headers.get("Retry-After"))
            raise Unavailable(problem, retry_after=retry_after, status=answer.status_code)
        raise Refused(problem)

    def _message(self, answer: requests.Response) -> str:
        """RingCloud's error message, without anything that could be a credential."""
        try:
            message = str(answer.json().get("message") or "")
        except (ValueError, AttributeError):
            message = answer.text
        return vendor_http.redacted(message, [self._api_key, self._hash]) or "no message"


def _short_text(value: Any) -> bool:
    """An extension or user name we can store and send back: a string or number of 1 to 64 characters."""
    return isinstance(value, str | int) and not isinstance(value, bool) and 0 < len(str(value).strip()) <= 64


def _list(data: Any, path: str) -> list[Any]:
    """The elements of a list answer as sent: one odd element is the caller's to skip, not the whole page's."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise Refused(f"RingCloud's {path} data is not a list")
    return data
