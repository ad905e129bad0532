"""A file server on 127.0.0.1 standing in for wherever Ringotel keeps recordings (an edge we don't own).

Paths: /audio.mp3?size=N (audio/mpeg, with Content-Length), /stream?size=N (octet-stream, no
length: the end is the connection's close), /truncated?size=N (a Content-Length of N, then half
the bytes and a hang-up), /page.html, /missing, /redirect/N (N hops, then /audio.mp3), /to?url=U
(a redirect to U), /drip?size=N&every=S&length=0|1&where=body|headers (a byte every S seconds, in
the body or in a header, as a server that keeps a read timeout from ever firing). Bodies are
generated, never held whole in memory. With ?host=H, any path answers
421 unless the request's Host header is H, as a virtual host would.
"""

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MP3_HEAD = b"ID3\x04\x00\x00\x00\x00\x00\x00"
BLOCK = 64 * 1024


def audio_bytes(size: int) -> bytes:
    """The exact bytes /audio.mp3?size=N serves (for small files a test compares)."""
    return b"".join(_body(size))


def _body(size: int) -> Iterator[bytes]:
    head = MP3_HEAD[:size]
    yield head
    left = size - len(head)
    filler = bytes(range(256)) * (BLOCK // 256)
    while left > 0:
        piece = filler[: min(BLOCK, left)]
        left -= len(piece)
        yield piece


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        size = int(query.get("size", "2048"))
        if "host" in query and self.headers.get("Host") != query["host"]:  # a virtual host's check
            self._send_text(421, "text/plain", b"misdirected request")
        elif parts.path == "/audio.mp3":
            self._send(200, "audio/mpeg", size, length=True)
        elif parts.path == "/stream":
            self._send(200, "application/octet-stream", size, length=False)
        elif parts.path == "/truncated":  # declares size bytes, sends half, hangs up
            self._send(200, "audio/mpeg", size, length=True, send=size // 2)
        elif parts.path == "/page.html":
            self._send_text(200, "text/html", b"<html>not audio</html>")
        elif parts.path.startswith("/redirect/"):
            hops = int(parts.path.rsplit("/", 1)[1])
            self._redirect(f"/redirect/{hops - 1}" if hops > 1 else "/audio.mp3")
        elif parts.path == "/to":
            self._redirect(query["url"])
        elif parts.path == "/drip":
            self._drip(size, float(query.get("every", "0.05")), query.get("length") != "0", query.get("where"))
        else:
            self._send_text(404, "text/plain", b"no such file")

    def _send(self, status: int, content_type: str, size: int, *, length: bool, send: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(size))
        if not length or send is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        for piece in _body(size if send is None else send):
            self.wfile.write(piece)

    def _drip(self, size: int, every: float, length: bool, where: str | None) -> None:
        """Every byte after a wait; ends by itself after ``size`` bytes, or when the client hangs up."""
        data = audio_bytes(size)
        self.close_connection = True
        try:
            if where == "headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(size):
                    time.sleep(every)
                    self.wfile.write(b"a")
                    self.wfile.flush()
                return
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            if length:
                self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            for byte in data:
                time.sleep(every)
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:
            pass  # the client hung up: what a deadline does

    def _send_text(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """A running server; yields its base URL (http://127.0.0.1:<port>, or https:// with ``tls``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # a quick shutdown
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
