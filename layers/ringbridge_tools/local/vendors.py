"""Which vendor API the local stack's functions call: a real one only when told to.

In every local command (``serve`` and its stream pollers, ``invoke``, ``admin --local``) a vendor's
base URL is, in this order:

1. its variable (RINGCLOUD_BASE_URL, RINGOSTAT_BASE_URL) exported by whoever started the command:
   this is how to opt in to the real service (``RINGCLOUD_BASE_URL=https://api.ringcloud.ru``);
2. the fake that ``ringbridge fake <vendor>`` registered in the state dir, looked up again before
   each invocation, so that a fake started after ``serve`` gets its next requests;
3. otherwise a refuser on 127.0.0.1 in this process: each request gets a 421 whose text says how to
   start the fake or opt in, which the functions report as any refusal of the vendor's. Nothing is sent.

The template's RINGCLOUD_BASE_URL (RingCloud's real host) is never used locally. In AWS none of this
runs: the functions read the template's value.
"""

import os
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ringbridge import settings
from ringbridge_tools import fakes
from ringbridge_tools.local import state

REFUSED_STATUS = 421  # Misdirected Request: neither client retries it (nor takes it for a wrong key)


@dataclass(frozen=True)
class Vendor:
    name: str  # as in `ringbridge fake <name>`
    title: str
    variable: str
    real_url: str  # the default of the vendor's settings in logic/, named in the refusal

    def refusal(self) -> str:
        """What a refused request answers; short enough for the clients' 200-character error messages."""
        return (
            f"not sent: the local stack calls the real {self.title} only when told to. Start `ringbridge fake "
            f"{self.name}` (same --state-dir), or opt in: export {self.variable}={self.real_url}"
        )


VENDORS = (
    Vendor("ringcloud", "RingCloud", "RINGCLOUD_BASE_URL", "https://api.ringcloud.ru"),
    Vendor("ringostat", "Ringostat", "RINGOSTAT_BASE_URL", "https://api.ringostat.net"),
)
VARIABLES = frozenset(vendor.variable for vendor in VENDORS)


@dataclass
class _Resolution:
    state_dir: Path
    exported: dict[str, str]  # variable -> the URL exported by whoever started this process
    applied: dict[str, str] = field(default_factory=dict)  # variable -> the URL apply() last set


_local: _Resolution | None = None  # None: not a local command (the tests' in-process calls set their own)


def use(state_dir: Path) -> None:
    """This process is a local command on ``state_dir``: its invocations call vendors as the module says.

    Call it once the template's environment is applied (stack.function_environment() leaves the
    vendors' variables out): what is in the environment then was exported by the user, unless an
    earlier apply() of this process set it.
    """
    global _local
    applied = _local.applied if _local is not None else {}
    exported = {
        vendor.variable: os.environ[vendor.variable]
        for vendor in VENDORS
        if os.environ.get(vendor.variable) and os.environ[vendor.variable] != applied.get(vendor.variable)
    }
    _local = _Resolution(state_dir, exported, applied)
    apply()


def base_url(vendor: Vendor) -> str:
    """The one resolution of a vendor's base URL for a local command (see the module's docstring)."""
    assert _local is not None, "vendors.use(state_dir) first"
    exported = _local.exported.get(vendor.variable)
    return exported or state.registered_fakes(_local.state_dir).get(vendor.name) or _refuser_url(vendor)


def apply() -> None:
    """Set every vendor's variable for the invocation about to start (lambdas.invoke calls this)."""
    if _local is None:
        return
    for vendor in VENDORS:
        os.environ[vendor.variable] = _local.applied[vendor.variable] = base_url(vendor)
    settings.reload()  # the functions read the vendors' URLs from their settings


class _Refuse(BaseHTTPRequestHandler):
    """Answers every request to /<vendor>/... with the vendor's refusal; logs the method and path only
    (a RingCloud URL's query holds its credentials)."""

    def do_GET(self) -> None:
        self._refuse()

    def do_POST(self) -> None:
        self._refuse()

    def _refuse(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))  # read before answering: no reset
        name, _, path = self.path.lstrip("/").partition("/")
        vendor = next((each for each in VENDORS if each.name == name), None)
        text = vendor.refusal() if vendor else "not a vendor"
        path = "/" + path.split("?", 1)[0]
        print(f"refused {self.command} {path} to {vendor.title if vendor else name}: {text}", file=sys.stderr)
        data = text.encode()
        self.send_response(REFUSED_STATUS)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass  # _refuse says what matters


_refuser: list[ThreadingHTTPServer] = []
_refuser_lock = threading.Lock()


def _refuser_url(vendor: Vendor) -> str:
    with _refuser_lock:
        if not _refuser:
            _refuser.append(fakes.serve(_Refuse, 0))  # lives as long as this process
        return f"http://127.0.0.1:{_refuser[0].server_port}/{vendor.name}"
