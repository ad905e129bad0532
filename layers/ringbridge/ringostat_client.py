"""HTTP to Ringostat's "minicrm" sync API: one POST per batch, and what its answer means.

Ringostat documents neither its answers nor its limits, so any 2xx is success; 408, 429, 5xx,
timeouts and connection errors are worth retrying; any other answer is a rejection a retry
would only repeat (a wrong auth key, a wrong project, a payload it refuses).
"""

import json
from typing import Any

import requests

from ringbridge import vendor_http


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
            answer = vendor_http.send(
                self._session, "POST", self._base_url + path, timeout, data=data, headers=self._headers
            )
        except vendor_http.NoAnswer as error:
            if error.transient:
                raise Retryable(f"{error} calling Ringostat {path}") from None
            raise Rejected(f"{error} calling Ringostat {path}: {self._redacted(error.detail)}") from None
        if 200 <= answer.status_code < 300:
            return
        problem = f"Ringostat answered HTTP {answer.status_code} to {path}: {self._redacted(answer.text)}"
        if vendor_http.is_transient(answer.status_code):
            raise Retryable(problem, retry_after=vendor_http.retry_after_seconds(answer.headers.get("Retry-After")))
        raise Rejected(problem)

    def _redacted(self, text: str) -> str:
        return vendor_http.redacted(text, [self._auth_key])
