"""A fake RingCloud REST API on 127.0.0.1: the edge we do not own, for tests, the bench and people.

It follows RingCloud's published facts, written down here independently of our client:
- every URL must carry ``api_key`` and ``hash = md5(key + password)``; otherwise 403;
- a key is RO or RW; starting a call (POST /v1/calls) needs RW (403 otherwise);
- limits count per key and, within a key, per identical URL (query string included): a request
  for a URL its key requested less than the table's window ago answers 429, and is counted in
  ``violations`` (a client that keeps the limits never makes one);
- answers are ``{"status", "message", "data"}`` envelopes; a recording download answers the
  file itself, and on error an envelope too (RingCloud's own client reads its ``message``);
- ``/v1/calls/complete`` takes ``days`` (1 to 7, default 7) and ``num`` (a call whose ``src`` or
  ``dst`` is that number); ``/v1/users/<user>`` is one user, ``/v1/users/<user>/records`` the
  ``[file name, recording time]`` of the user's recordings.

RingCloud's own Python client (``ringcloud-pyapi``) is the oracle: tests/integration/
test_fake_ringcloud_oracle.py drives this fake with it.

``plan()`` makes the next requests for a path misbehave as the real service can: a status (with a
Retry-After, or an error envelope on a 200), a redirect, an empty recording, a recording that drips
a byte at a time, any JSON as a 200's body (``Body``), a broken connection (``Cut``), or a right
answer that takes its time (``Slow``). ``Raw`` puts JSON text as it is into a call (``1e400``,
``10**40``), and ``calls`` may hold any JSON value (``None``, a string), as a hostile or broken
RingCloud would send.
The windows are measured with ``ringbridge.clock.monotonic``, so a test that moves
the clock moves the fake's time too.
"""

import hashlib
import json
import math
import struct
import time
import wave
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from io import BytesIO
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from ringbridge import clock
from ringbridge_tools import fakes

# (method, path regex as a prefix test, seconds): RingCloud's table (reference: "Rate limits").
WINDOWS: list[tuple[str, str, float]] = [
    ("GET", "/v1/users", 1.0),
    ("GET", "/v1/users/*", 1.0),
    ("GET", "/v1/users/*/records", 5.0),
    ("GET", "/v1/users/*/records/*", 1.0),
    ("POST", "/v1/users/create", 60.0),
    ("GET", "/v1/calls/channels", 2.0),
    ("GET", "/v1/calls/channels/*", 2.0),
    ("POST", "/v1/calls", 5.0),
    ("GET", "/v1/calls/complete", 5.0),
    ("GET", "/v1/calls/complite", 5.0),
    ("GET", "/v1/calls/active", 5.0),
]
DEFAULT_WINDOW = 1.0


def window_of(method: str, path: str) -> float:
    parts = path.strip("/").split("/")
    for wanted, pattern, seconds in WINDOWS:
        expected = pattern.strip("/").split("/")
        same = len(expected) == len(parts) and all(e in ("*", p) for e, p in zip(expected, parts, strict=True))
        if wanted == method and same:
            return seconds
    return DEFAULT_WINDOW


@dataclass
class Fail:
    """How one planned request misbehaves: a status (with an optional Retry-After or Location; 200 is
    an error envelope), an empty 200 body, or a recording sent a byte every ``drip`` seconds. The error
    envelope's ``message`` may be None or empty, as a bare error from RingCloud's gateway is."""

    status: int = 500
    retry_after: str | None = None
    location: str | None = None
    empty: bool = False
    drip: float | None = None
    message: str | None = "planned failure"


@dataclass(frozen=True)
class Slow:
    """A planned request that arrives ``seconds`` late (``ringbridge.clock.sleep``), then is answered as usual:
    RingCloud's window for it starts on arrival. Under a test's fake clock the time passes for the run's budget,
    and no test waits for it."""

    seconds: float


@dataclass(frozen=True)
class Cut:
    """A planned request whose connection breaks: "hang-up" closes it before any answer (requests raises a
    ConnectionError, which is worth a retry); "garbled" starts a 200 whose chunked body breaks off (requests
    raises a ChunkedEncodingError: an answer no retry would mend)."""

    kind: Literal["hang-up", "garbled"]


@dataclass(frozen=True)
class Body:
    """A planned request answered 200 with this JSON as it is: a success envelope whose ``data`` is not what
    the API promises, or no envelope at all."""

    answer: Any


@dataclass(frozen=True)
class Raw:
    """JSON text sent as it is, for values Python's json would not write (``1e400``)."""

    text: str


def _dumps(answer: Any) -> bytes:
    raws: dict[str, str] = {}

    def placeholder(value: Any) -> str:
        if not isinstance(value, Raw):
            raise TypeError(type(value).__name__)
        raws[f"\u0000raw{len(raws)}"] = value.text
        return f"\u0000raw{len(raws) - 1}"

    text = json.dumps(answer, default=placeholder)
    for name, raw in raws.items():
        text = text.replace(json.dumps(name), raw)
    return text.encode()


@dataclass
class Received:
    method: str
    path: str
    key: str | None
    query: dict[str, str] = field(default_factory=dict)  # without api_key and hash: credentials never kept
    status: int = 0
    body: Any = None


@dataclass
class FakeRingcloud(fakes.Served):
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # api key -> (password, "RO" | "RW")
    users: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> (bytes, content type)
    requests: list[Received] = field(default_factory=list)
    violations: int = 0
    originations: list[dict[str, Any]] = field(default_factory=list)
    _planned: dict[str, list[Fail | Slow | Body | Cut | None]] = field(default_factory=dict)
    _last: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def add_key(self, api_key: str, password: str, level: str = "RO") -> None:
        self.keys[api_key] = (password, level)

    def add_call(self, rec_file: str | None = None, audio: bytes | None = None, **fields: Any) -> dict[str, Any]:
        call = {"status": "complete", "disposition": "ANSWERED", "rec_file": rec_file, **fields}
        if rec_file and audio is not None:
            self.files[rec_file] = (audio, "audio/wav")
        self.calls.append(call)
        return call

    def plan(self, path: str, *outcomes: Fail | Slow | Body | Cut | None) -> None:
        """The next requests' fates for ``path``, in order (None: answer normally)."""
        with self._lock:
            self._planned[path] = list(outcomes)

    def served(self, path: str | None = None, method: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if (path is None or r.path == path) and (method in (None, r.method))]

    def start(self, port: int = 0) -> "FakeRingcloud":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass  # a request line holds the key and hash

        self._server = fakes.serve(Handler, port)
        return self

    def stop(self) -> None:
        fakes.stop(self._server)

    def _received(self, handler: BaseHTTPRequestHandler, method: str) -> tuple[Received, str, dict[str, str]]:
        """The request as received (less the credentials), its target as sent, and its whole query."""
        # The target as sent: http.server turns a leading "//" into "/", which a real server need not do
        target = handler.requestline.split(" ")[1]
        parts = urlsplit(target)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        asked = {name: value for name, value in query.items() if name not in ("api_key", "hash")}
        return Received(method, parts.path, query.get("api_key"), asked, body=self._body(handler)), target, query

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        received, target, query = self._received(handler, method)
        path = received.path
        is_file = path in self.files or "/records/" in path
        with self._lock:
            self.requests.append(received)
            planned = self._planned.get(path, [])
            fail = planned.pop(0) if planned else None
        if isinstance(fail, Slow):  # it arrives late (a slow network): RingCloud's window counts from then
            clock.sleep(fail.seconds)
            fail = None
        with self._lock:
            status, answer = self._check(method, path, target, query, received.body)
        if isinstance(fail, Cut):
            return self._cut(handler, fail.kind)
        if isinstance(fail, Body):
            status, answer, fail = 200, fail.answer, None
        if fail is not None and status == 200 and fail.drip is None:
            status = fail.status
            if fail.empty:
                status, is_file = 200, True
                answer = b""
            else:
                answer = {"status": "error", "message": fail.message, "data": None}
        received.status = status
        self._answer(handler, path, is_file, status, answer, fail)

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        path: str,
        is_file: bool,
        status: int,
        answer: dict[str, Any] | bytes,
        fail: Fail | None,
    ) -> None:
        headers = {}
        if fail is not None and fail.retry_after:
            headers["Retry-After"] = fail.retry_after
        if fail is not None and fail.location:
            headers["Location"] = fail.location
        if is_file and status == 200 and isinstance(answer, bytes):
            content_type = self.files.get(path, (b"", "audio/wav"))[1]
            if fail is not None and fail.drip is not None:
                self._drip(handler, answer, content_type, fail.drip)
            else:
                self._send(handler, 200, answer, content_type)
        elif is_file and status != 200:
            envelope = answer if isinstance(answer, dict) else _error("not found" if status == 404 else "error")
            self._send(handler, status, _dumps(envelope), "application/json", headers)
        else:
            self._send(handler, status, _dumps(answer), "application/json", headers)

    @staticmethod
    def _cut(handler: BaseHTTPRequestHandler, kind: str) -> None:
        if kind == "garbled":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            handler.wfile.write(b"zz\r\n")  # not a chunk size
        handler.close_connection = True

    @staticmethod
    def _body(handler: BaseHTTPRequestHandler) -> Any:
        """The request's JSON body; None for none, or for one that is not JSON."""
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _check(
        self, method: str, path: str, url: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any] | bytes]:
        """The status and answer (an envelope, or a file's bytes); the caller holds the lock."""
        refusal = self._refusal(method, path, url, query)
        if refusal is not None:
            return refusal
        if path in self.files:
            return (200, self.files[path][0]) if method == "GET" else (405, _error("method not allowed"))
        if method == "GET" and path == "/v1/users":
            return 200, _success(self.users)
        user_path = path.removeprefix("/v1/users/").split("/")
        if method == "GET" and path.startswith("/v1/users/") and len(user_path) in (1, 2):
            return self._user(*user_path)
        if method == "GET" and path in ("/v1/calls/complete", "/v1/calls/complite"):
            days = query.get("days", "7")
            if not days.isdigit() or not 1 <= int(days) <= 7:
                return 400, _error("days must be 1..7")
            num = query.get("num")
            return 200, _success([c for c in self.calls if num is None or num in _numbers(c)])
        if path == "/v1/calls":
            return self._originate(method, self.keys[query["api_key"]][1], body)
        if "/records/" in path:
            return 404, b""
        return 404, _error("not found")

    def _refusal(self, method: str, path: str, url: str, query: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        """403 for a key missing, unknown or with the wrong hash; 429 for a request inside its window."""
        key, digest = query.get("api_key"), query.get("hash")
        if not key or not digest or key not in self.keys:
            return 403, _error("api key or hash missing or unknown")
        if digest != hashlib.md5((key + self.keys[key][0]).encode(), usedforsecurity=False).hexdigest():
            return 403, _error("wrong hash")
        slot = (key, method, url)
        now = clock.monotonic()
        last = self._last.get(slot)
        if last is not None and now - last < window_of(method, path):
            self.violations += 1
            return 429, _error("too many requests")
        self._last[slot] = now
        return None

    def _originate(self, method: str, level: str, body: Any) -> tuple[int, dict[str, Any]]:
        """POST /v1/calls: a call from ``params.user`` to ``params.num`` is originated (with an RW key only)."""
        if method != "POST":
            return 405, _error("method not allowed")
        if level != "RW":
            return 403, _error("this key is read-only")
        params = body.get("params") if isinstance(body, dict) else None
        if not isinstance(params, dict) or not str(params.get("num", "")).isdigit():
            return 400, _error("params.num must be digits")
        if params.get("user") not in {user["user"] for user in self.users}:
            return 400, _error("no such user")
        self.originations.append(params)
        return 200, _success(None)

    def _user(self, name: str, records: str | None = None) -> tuple[int, dict[str, Any]]:
        """GET /v1/users/<user>, or (``records``) its recordings' ``[file name, recording time]``."""
        if name not in {user["user"] for user in self.users} or records not in (None, "records"):
            return 400, _error("no such user")
        if records is None:
            return 200, _success(next(user for user in self.users if user["user"] == name))
        prefix = f"/v1/users/{name}/records/"
        listed = [
            [call["rec_file"].removeprefix(prefix), call.get("call_start_time")]
            for call in self.calls
            if isinstance(call, dict) and str(call.get("rec_file") or "").startswith(prefix)
        ]
        return 200, _success(listed)

    @staticmethod
    def _drip(handler: BaseHTTPRequestHandler, data: bytes, content_type: str, every: float) -> None:
        """The file a byte at a time: no read ever waits long, the whole takes len(data) * every seconds."""
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            for byte in data:
                time.sleep(every)  # real time: the client's deadline is a real socket's
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except OSError:
            pass  # the client hung up

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        try:
            handler.send_response(status)
            for name, value in {"Content-Type": content_type, **(headers or {})}.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client hung up


def _numbers(call: Any) -> set[str]:
    return {str(call.get("src")), str(call.get("dst"))} if isinstance(call, dict) else set()


def _success(data: Any) -> dict[str, Any]:
    return {"status": "success", "message": None, "data": data}


def _error(message: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "data": None}


def tone(seconds: float = 1.0, hertz: float = 440.0, rate: int = 8000) -> bytes:
    """A short playable WAV file (8 kHz mono, 16 bit): a sine tone."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hertz * n / rate))) for n in range(int(seconds * rate))
    )
    out = BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(frames)
    return out.getvalue()


DEMO_KEY, DEMO_PASSWORD = "1001_demoro", "demo-ro-password"
DEMO_RW_KEY, DEMO_RW_PASSWORD = "1001_demorw", "demo-rw-password"


def seeded() -> FakeRingcloud:
    """The fake for people: the demo account's extensions (101-103) and a few calls with its contacts."""
    fake = FakeRingcloud()
    fake.add_key(DEMO_KEY, DEMO_PASSWORD, "RO")
    fake.add_key(DEMO_RW_KEY, DEMO_RW_PASSWORD, "RW")
    fake.users = [
        {"account_id": 1001, "num": num, "user": f"16797284{num}", "voice_mail_box": "off", "mail": None}
        for num in ("101", "102", "103")
    ]
    now = clock.now()
    samples = [  # (minutes ago, direction, src, dst, seconds, disposition, recorded)
        (50, "incoming", "380441111111", "101", 95, "ANSWERED", True),
        (35, "outgoing", "102", "380322456789", 42, "ANSWERED", True),
        (20, "incoming", "380441111112", "103", 0, "NO ANSWER", False),
        (12, "outgoing", "101", "380441111111", 61, "ANSWERED", True),
        (5, "internal", "101", "102", 30, "ANSWERED", False),
    ]
    for number, (minutes, direction, src, dst, seconds, disposition, recorded) in enumerate(samples, start=1):
        start = now - timedelta(minutes=minutes)
        rec_file = f"/v1/users/{fake.users[0]['user']}/records/demo-{number}.wav" if recorded else None
        fake.add_call(
            rec_file=rec_file,
            audio=tone(1.0 + number / 2, 330.0 + 110 * number) if recorded else None,
            direction=direction,
            src=src,
            dst=dst,
            call_start_time=start.strftime("%Y-%m-%d %H:%M:%S"),
            call_end_time=(start + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S"),
            duration=seconds,
            disposition=disposition,
        )
    return fake
