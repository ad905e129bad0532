"""A fake Ringostat sync API on 127.0.0.1: the edge we do not own, for tests, the bench and people.

``ringbridge fake ringostat --port N`` runs it in the foreground and prints each batch it receives.

It checks every request against the field table of Ringostat's docs (the seed): headers, every
mandatory key present and nothing else, types, nulls only where allowed. A request that breaks the
contract gets a 400 and is listed in ``problems``. It knows each project's auth key and answers 403
to a wrong one, as Ringostat does. ``plan()`` makes the next requests fail: a status (500, 429 with
Retry-After, ...) or a delay longer than the client's timeout. Only requests answered 2xx count as
accepted. ``down`` makes one project's requests answer 503 until it is cleared.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from ringbridge_tools import fakes

# name: (type, may be null) -- from the seed's table
CONTACT_FIELDS: dict[str, tuple[type, bool]] = {
    "projectId": (int, False),
    "fullName": (str, False),
    "origin": (str, False),
    "externalId": (str, True),
    "leadId": (str, True),
    "responsible": (str, False),
    "staffId": (str, True),
    "contactLink": (str, True),
    "leadLink": (str, True),
    "dealLink": (str, True),
    "googleClientId": (str, True),
    "contactDirections": (list, False),
    "organizations": (list, True),
}
DIRECTION_FIELDS: dict[str, tuple[type, bool]] = {"type": (str, False), "name": (str, False), "value": (str, False)}
ORGANIZATION_FIELDS: dict[str, tuple[type, bool]] = {
    "projectId": (int, False),
    "name": (str, False),
    "externalId": (str, False),
    "origin": (str, False),
}
PATHS = {"/minicrm/contacts/sync": "contacts", "/minicrm/organizations/sync": "organizations"}
INTERNATIONAL_NUMBER = re.compile(r"\+?[1-9]\d{6,14}")


@dataclass
class Fail:
    """How one planned request fails: an HTTP status (with an optional Retry-After), or a stall."""

    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    status: int | None = None  # None: the client gave up before the answer (a timeout)

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class FakeRingostat(fakes.Served):
    projects: dict[int, str] = field(default_factory=dict)  # project id -> auth key
    requests: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    any_key: bool = False  # accept every project and auth key (for a person trying the local stack)
    down: set[int] = field(default_factory=set)  # projects whose requests answer 503
    on_receive: Callable[["Received"], None] | None = None  # called after each answer
    _planned: list[Fail | None] = field(default_factory=list)

    def add_project(self, project_id: int, auth_key: str) -> None:
        self.projects[project_id] = auth_key

    def plan(self, *outcomes: Fail | None) -> None:
        """The next requests' fates in order (None: answer normally); later requests answer normally."""
        with self._lock:
            self._planned = list(outcomes)

    def accepted(self, kind: str, project_id: int | None = None) -> list[dict[str, Any]]:
        """Every contact or organization in requests answered 2xx, in arrival order."""
        with self._lock:
            received = list(self.requests)
        return [
            item
            for request in received
            if request.accepted and PATHS[request.path] == kind
            for item in request.body[kind]
            if project_id is None or item["projectId"] == project_id
        ]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self, port: int = 0) -> "FakeRingostat":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = fakes.serve(Handler, port)
        return self

    def stop(self) -> None:
        fakes.stop(self._server)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        received = Received(handler.path, headers, body)
        with self._lock:
            self.requests.append(received)
            planned = self._planned.pop(0) if self._planned else None
        if planned and planned.delay:
            time.sleep(planned.delay)  # the client times out first; this answer is never read
            self._answer(handler, 200, {"status": "ok"})
            return
        if planned:
            received.status = planned.status
            extra = {"Retry-After": planned.retry_after} if planned.retry_after is not None else {}
            self._answer(handler, planned.status, {"error": "planned failure"}, extra)
            return
        status, answer = self._check(received)
        received.status = status
        self._answer(handler, status, answer)
        if self.on_receive is not None:
            self.on_receive(received)

    def _check(self, received: Received) -> tuple[int, dict[str, Any]]:
        kind = PATHS.get(received.path)
        if kind is None:
            return 404, {"error": "no such method"}
        try:
            project_id = int(received.headers.get("x-project-id", ""))
        except ValueError:
            project_id = None
        key = received.headers.get("auth-key")
        if self.any_key and project_id is not None and key:
            self.projects.setdefault(project_id, key)
        if project_id not in self.projects or key != self.projects[project_id]:
            return 403, {"error": "access denied"}
        if project_id in self.down:
            return 503, {"error": "project unavailable"}
        problems = _problems(received, kind, project_id)
        if problems:
            with self._lock:
                self.problems.extend(problems)
            return 400, {"errors": problems}
        return 200, {"status": "ok"}

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client hung up (timed out)


def _problems(received: Received, kind: str, project_id: int | None) -> list[str]:
    problems = []
    if not received.headers.get("content-type", "").startswith("application/json"):
        problems.append("Content-Type is not application/json")
    body = received.body
    if not isinstance(body, dict) or set(body) != {kind} or not isinstance(body[kind], list):
        return [*problems, f"the body must be {{{kind!r}: [...]}}"]
    for index, item in enumerate(body[kind]):
        where = f"{kind}[{index}]"
        if kind == "organizations":
            problems += _fields(item, ORGANIZATION_FIELDS, where)
        else:
            problems += _contact(item, where)
        if isinstance(item, dict) and item.get("projectId") != project_id:
            problems.append(f"{where}.projectId differs from x-project-id")
    return problems


def _contact(item: Any, where: str) -> list[str]:
    problems = _fields(item, CONTACT_FIELDS, where)
    if problems:
        return problems
    if item["externalId"] is None and item["leadId"] is None:
        problems.append(f"{where}: externalId and leadId are both null")
    for index, direction in enumerate(item["contactDirections"]):
        place = f"{where}.contactDirections[{index}]"
        found = _fields(direction, DIRECTION_FIELDS, place)
        problems += found
        if found:
            continue
        if direction["type"] == "phone" and not INTERNATIONAL_NUMBER.fullmatch(direction["value"]):
            problems.append(f"{place}.value is not an international number: {direction['value']!r}")
        elif direction["type"] == "email" and "@" not in direction["value"]:
            problems.append(f"{place}.value is not an email: {direction['value']!r}")
        elif direction["type"] not in ("phone", "email"):
            problems.append(f"{place}.type must be phone or email")
    for index, organization in enumerate(item["organizations"] or []):
        problems += _fields(organization, ORGANIZATION_FIELDS, f"{where}.organizations[{index}]")
    return problems


def _fields(item: Any, spec: dict[str, tuple[type, bool]], where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where} must be an object"]
    problems = [f"{where}.{name} is missing" for name in spec if name not in item]
    problems += [f"{where}.{name} is not in Ringostat's table" for name in item if name not in spec]
    for name, (kind, nullable) in spec.items():
        if name not in item:
            continue
        value = item[name]
        if value is None:
            if not nullable:
                problems.append(f"{where}.{name} must not be null")
        elif not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"{where}.{name} must be {kind.__name__}, not {type(value).__name__}")
        elif isinstance(value, str) and not value.strip():
            problems.append(f"{where}.{name} must not be empty")
    return problems
