"""HTTP to Ringostat's "minicrm" sync API: one POST per batch, and what its answer means.

Ringostat documents neither its answers nor its limits, so any 2xx is success; 408, 429, 5xx,
timeouts and connection errors are worth retrying; any other answer is a rejection a retry
would only repeat (a wrong auth key, a wrong project, a payload it refuses).
"""

import json
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ringbridge import clock

CONNECT_TIMEOUT_SECONDS = 3.05
ERROR_TEXT_LIMIT = 200


class RingostatError(Exception):
    """A batch was not accepted. The message is safe to log and store: it never holds the auth key."""


class Retryable(RingostatError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Rejected(RingostatError):
    pass


class RingostatClient:
    """One Ringostat project. Share a ``requests.Session`` between clients to reuse connections."""

    def __init__(self, session: requests.Session, base_url: str, project_id: int, auth_key: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._auth_key = auth_key
        self._headers = {
            "auth-key": auth_key,
            "x-project-id": str(project_id),
            "Content-Type": "application/json",
        }

    def sync_contacts(self, contacts: list[dict[str, Any]], timeout: float) -> None:
        self._post("/minicrm/contacts/sync", {"contacts": contacts}, timeout)

    def sync_organizations(self, organizations: list[dict[str, Any]], timeout: float) -> None:
        self._post("/minicrm/organizations/sync", {"organizations": organizations}, timeout)

    def _post(self, path: str, body: dict[str, Any], timeout: float) -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            answer = self._session.post(
                self._base_url + path,
                data=data,
                headers=self._headers,
                timeout=(min(CONNECT_TIMEOUT_SECONDS, timeout), timeout),
                allow_redirects=False,
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            raise Retryable(f"{type(error).__name__} calling Ringostat {path}") from None
        except requests.RequestException as error:
            raise Rejected(f"{type(error).__name__} calling Ringostat {path}: {self._redacted(str(error))}") from None
        if 200 <= answer.status_code < 300:
            return
        problem = f"Ringostat answered HTTP {answer.status_code} to {path}: {self._redacted(answer.text)}"
        if answer.status_code in (408, 429) or answer.status_code >= 500:
            raise Retryable(problem, retry_after=retry_after_seconds(answer.headers.get("Retry-After")))
        raise Rejected(problem)

    def _redacted(self, text: str) -> str:
        if self._auth_key:
            text = text.replace(self._auth_key, "[auth-key]")
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
