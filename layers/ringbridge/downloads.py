"""Fetching a file from a URL a client gave us, without letting the URL reach inside our network.

Only HTTPS (plain HTTP only to loopback, and only where ALLOW_LOCAL_DOWNLOADS allows it: the local stack).
Every hop, including each of at most ``MAX_REDIRECTS`` redirects, is checked the same way: the
host is resolved, every address must be a public one (no private, loopback, link-local, metadata,
multicast or reserved range), and the connection goes to the address that was checked, so a
second DNS answer cannot swap in an internal one (DNS rebinding). The name is still used for
the Host header, TLS SNI and certificate checks.

A download has one deadline for everything (connecting, the headers, every byte of the body),
not only a timeout per read: a server that drips a byte a second would restart a read timeout
for ever. A watchdog shuts the connection's socket down when the deadline passes.
"""

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ringbridge.errors import InvalidInput

MAX_REDIRECTS = 3
CONNECT_SECONDS = 5
READ_SECONDS = 30  # between two reads
TOTAL_SECONDS = 240  # the whole download at most; the function's timeout (template.yaml) is 300 s
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix: the last 32 bits are IPv4


def _refuse(problem: str) -> InvalidInput:
    return InvalidInput(problem, field="url")


def checked_address(url: str, *, allow_loopback: bool) -> IpAddress:
    """The address to connect to for ``url``, after checking the scheme and every resolved address."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: "https://[::1"
        raise _refuse("is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refuse("must be an https:// URL")
    if parts.username or parts.password:
        raise _refuse("must not carry credentials")
    if parts.scheme == "http" and not allow_loopback:
        raise _refuse("must be an https:// URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError):
        raise _refuse(f"host {parts.hostname!r} cannot be resolved") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        check_address(address, allow_loopback=allow_loopback)
    if parts.scheme == "http" and not all(address.is_loopback for address in addresses):
        raise _refuse("must be an https:// URL (plain http only reaches loopback, in local mode)")
    return addresses[0]


def check_address(address: IpAddress, *, allow_loopback: bool) -> None:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:  # ::ffff:a.b.c.d is a.b.c.d itself: the connection goes over IPv4
            address = address.ipv4_mapped
        else:
            # 6to4, NAT64 and Teredo relay to the IPv4 address they embed: both must be public.
            embedded = _embedded_ipv4(address)
            if embedded is not None:
                _check_one(embedded, allow_loopback=False)
    _check_one(address, allow_loopback=allow_loopback)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.sixtofour:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo:
        return address.teredo[1]  # the client's address; the server's is the relay's business
    return None


def _check_one(address: IpAddress, *, allow_loopback: bool) -> None:
    if address.is_loopback:
        if allow_loopback:
            return
        raise _refuse(f"resolves to a loopback address ({address})")
    if not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified:
        # Private, link-local (169.254.169.254), unique-local (fd00:ec2::254), CGNAT, documentation...
        raise _refuse(f"resolves to a non-public address ({address})")


class Watchdog:
    """The download's deadline: at it, every socket the download opened is shut down, which ends a
    read that is blocked or that a dripping server keeps alive (a closed socket is left alone)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds
        self._timers: list[threading.Timer] = []

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def guard(self, sock: socket.socket) -> None:
        timer = threading.Timer(max(0.0, self.remaining()), _shut_down, (sock,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()

    def too_slow(self) -> InvalidInput:
        return _refuse(f"took longer than {self.seconds:.0f} s to download")


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already, or detached into its TLS socket
        sock.shutdown(socket.SHUT_RDWR)


class _Pinned:
    """A urllib3 connection that connects to ``pinned_ip`` whatever the host name resolves to now.

    urllib3 connects to ``_dns_host``, which is also what its ``host`` reads: the Host header, TLS
    SNI and the certificate check. Only the connecting is given the address; the name is put back
    before anything else reads it (a certificate is for the name, and virtual hosts need it).
    Its sockets are under the download's watchdog: the plain one from the start (a TLS handshake
    can drip too), and the TLS one that replaces it.
    """

    pinned_ip = ""
    watchdog: Watchdog
    _dns_host: str  # urllib3's
    sock: Any  # urllib3's

    def _new_conn(self) -> Any:
        name, self._dns_host = self._dns_host, self.pinned_ip
        try:
            sock = super()._new_conn()  # type: ignore[misc]
        finally:
            self._dns_host = name
        self.watchdog.guard(sock)
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.watchdog.guard(self.sock)


def _pinned_session(address: IpAddress, watchdog: Watchdog) -> requests.Session:
    fields = {"pinned_ip": str(address), "watchdog": watchdog}
    http_connection = type("PinnedHTTPConnection", (_Pinned, HTTPConnection), fields)
    https_connection = type("PinnedHTTPSConnection", (_Pinned, HTTPSConnection), fields)
    adapter = HTTPAdapter(max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {
        "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}),
        "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_connection}),
    }
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would connect somewhere unchecked
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass
class Download:
    """A streaming 2xx response, and the deadline its body must arrive within."""

    response: requests.Response
    watchdog: Watchdog

    def chunks(self, chunk_bytes: int) -> Iterator[bytes]:
        """The body in chunks; a broken, stalled or endless transfer is the URL's problem (422), not ours.

        The deadline ends the download (its multipart upload is then aborted) before the function's
        own timeout would kill it mid-way. A body cut by the watchdog may look like a complete one
        (no Content-Length: the end is the connection's close), so the time is checked at the end too.
        """
        try:
            for chunk in self.response.iter_content(chunk_size=chunk_bytes):
                if self.watchdog.remaining() <= 0:
                    raise self.watchdog.too_slow()
                yield chunk
        except requests.RequestException as error:
            if self.watchdog.remaining() <= 0:
                raise self.watchdog.too_slow() from None
            raise _refuse(f"the download failed: {type(error).__name__}") from None
        if self.watchdog.remaining() <= 0:
            raise self.watchdog.too_slow()


@contextmanager
def open_url(url: str, *, allow_loopback: bool, seconds: float | None = None) -> Iterator[Download]:
    """The download of ``url`` (status 2xx), after checked redirects, all within ``seconds`` (at most
    TOTAL_SECONDS); closed on exit."""
    watchdog = Watchdog(TOTAL_SECONDS if seconds is None else min(seconds, TOTAL_SECONDS))
    try:
        for _ in range(MAX_REDIRECTS + 1):
            address = checked_address(url, allow_loopback=allow_loopback)
            with _pinned_session(address, watchdog) as session:
                response = _get(session, url, watchdog)
                with response:
                    if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                        url = urljoin(url, response.headers["location"])
                        continue
                    if not 200 <= response.status_code < 300:
                        raise _refuse(f"could not be downloaded: the server answered {response.status_code}")
                    yield Download(response, watchdog)
                    return
        raise _refuse(f"redirects more than {MAX_REDIRECTS} times")
    finally:
        watchdog.cancel()


def _get(session: requests.Session, url: str, watchdog: Watchdog) -> requests.Response:
    left = watchdog.remaining()
    if left <= 0:
        raise watchdog.too_slow()
    try:
        return session.get(
            url, stream=True, timeout=(min(CONNECT_SECONDS, left), min(READ_SECONDS, left)), allow_redirects=False
        )
    except requests.RequestException as error:
        if watchdog.remaining() <= 0:
            raise watchdog.too_slow() from None
        raise _refuse(f"could not be downloaded: {type(error).__name__}") from None
    except ValueError:  # requests parses a redirect's Location before it answers, even unfollowed
        raise _refuse("redirects to an invalid URL") from None
