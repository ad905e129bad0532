"""Fetching a file from a URL a client gave us, without letting the URL reach inside our network.

Only HTTPS (plain HTTP only to loopback, and only where ALLOW_LOCAL_DOWNLOADS allows it: the local stack).
Every hop, including each of at most ``MAX_REDIRECTS`` redirects, is checked the same way: the
host is resolved, every address must be a public one (no private, loopback, link-local, metadata,
multicast or reserved range), and the connection goes to the address that was checked, so a
second DNS answer cannot swap in an internal one (DNS rebinding). The name is still used for
the Host header, TLS SNI and certificate checks.
"""

import ipaddress
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ringbridge.errors import InvalidInput

MAX_REDIRECTS = 3
TIMEOUT = (5, 30)  # connect, and between two reads: seconds
TOTAL_SECONDS = 240  # the whole download; the function's timeout (template.yaml) is 300 s
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


class _Pinned:
    """A urllib3 connection that connects to ``pinned_ip`` whatever the host name resolves to now.

    urllib3 connects to ``_dns_host``, which is also what its ``host`` reads: the Host header, TLS
    SNI and the certificate check. Only the connecting is given the address; the name is put back
    before anything else reads it (a certificate is for the name, and virtual hosts need it).
    """

    pinned_ip = ""
    _dns_host: str  # urllib3's

    def _new_conn(self) -> Any:
        name, self._dns_host = self._dns_host, self.pinned_ip
        try:
            return super()._new_conn()  # type: ignore[misc]
        finally:
            self._dns_host = name


def _pinned_session(address: IpAddress) -> requests.Session:
    ip = str(address)
    http_connection = type("PinnedHTTPConnection", (_Pinned, HTTPConnection), {"pinned_ip": ip})
    https_connection = type("PinnedHTTPSConnection", (_Pinned, HTTPSConnection), {"pinned_ip": ip})
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


@contextmanager
def open_url(url: str, *, allow_loopback: bool) -> Iterator[requests.Response]:
    """A streaming response (status 2xx) for ``url``, after checked redirects; closed on exit."""
    for _ in range(MAX_REDIRECTS + 1):
        address = checked_address(url, allow_loopback=allow_loopback)
        session = _pinned_session(address)
        try:
            response = session.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException as error:
            session.close()
            raise _refuse(f"could not be downloaded: {type(error).__name__}") from None
        except ValueError:  # requests parses a redirect's Location before it answers, even unfollowed
            session.close()
            raise _refuse("redirects to an invalid URL") from None
        if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
            url = urljoin(url, response.headers["location"])
            response.close()
            session.close()
            continue
        try:
            if not 200 <= response.status_code < 300:
                raise _refuse(f"could not be downloaded: the server answered {response.status_code}")
            yield response
        finally:
            response.close()
            session.close()
        return
    raise _refuse(f"redirects more than {MAX_REDIRECTS} times")


def iter_chunks(response: requests.Response, chunk_bytes: int) -> Iterator[bytes]:
    """The body in chunks; a broken, stalled or endless transfer is the URL's problem (422), not ours.

    The read timeout bounds each wait; TOTAL_SECONDS bounds a server that drips bytes slowly
    forever, and ends the download (its multipart upload is then aborted) before Lambda's
    own timeout would kill the function mid-way.
    """
    deadline = time.monotonic() + TOTAL_SECONDS
    try:
        for chunk in response.iter_content(chunk_size=chunk_bytes):
            if time.monotonic() > deadline:
                raise _refuse(f"took longer than {TOTAL_SECONDS} s to download")
            yield chunk
    except requests.RequestException as error:
        raise _refuse(f"the download failed: {type(error).__name__}") from None
