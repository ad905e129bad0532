"""Fakes of the vendors' servers we call, on 127.0.0.1: for tests, the bench, and ``ringbridge fake``."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    """What every fake keeps: its server, once started, and the lock its request threads share."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"


def serve(handler: type[BaseHTTPRequestHandler], port: int) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 answering with ``handler`` in background threads (port 0: a free one)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    # Polled every 50 ms for shutdown rather than the default 500: a test's teardown waits for it.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer | None) -> None:
    if server:
        server.shutdown()
        server.server_close()
