"""Where a recording upload's guarantees bite: DNS answers, the local-mode gate, exact size limits.

The resolver is the edge we patch (``socket.getaddrinfo``, the one every lookup goes through);
the checks, the pinned connection and the size limits are the real ones.
"""

import os
import socket
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests.adapters
import trustme

from ringbridge import downloads, settings
from tests.audio_server import MP3_HEAD, serving
from tests.support.recordings import pending_uploads, stored_keys, upload

REAL_GETADDRINFO = socket.getaddrinfo


def resolve_as(monkeypatch, name: str, *answers: list[str]) -> list[str]:
    """Make ``name`` resolve to the i-th list of addresses on its i-th lookup (the last one ever after).

    Answers the names looked up, so a test can count the lookups."""
    looked_up: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        addresses = answers[min(len(looked_up), len(answers) - 1)]
        looked_up.append(host)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


def refused_on_url(answer) -> bool:
    return answer.status == 422 and answer.body["error"]["field"] == "url"


# --- DNS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "addresses",
    [
        ["93.184.216.34", "10.0.0.8"],
        ["93.184.216.34", "169.254.169.254"],
        ["2606:2800:220:1:248:1893:25c8:1946", "fd00:ec2::254"],
    ],
)
def test_a_name_with_one_private_answer_among_public_ones_is_refused(tenant, activity, monkeypatch, addresses):
    resolve_as(monkeypatch, "mixed.example.com", addresses)

    answer = upload(tenant, activity, {"url": "https://mixed.example.com/a.mp3"}, None)

    assert refused_on_url(answer), answer.body
    assert addresses[1] in answer.body["error"]["message"]
    assert stored_keys(tenant, activity) == []


def test_the_connection_goes_to_the_address_that_was_checked_not_to_a_second_answer(
    tenant, activity, files, monkeypatch
):
    # Given a name that resolves to the file server once, then (rebinding) to an address where
    # nothing listens: a download that looked the name up again would fail
    port = urlsplit(files).port
    looked_up = resolve_as(monkeypatch, "rebind.example.com", ["127.0.0.1"], ["127.0.0.2"])

    url = f"http://rebind.example.com:{port}/audio.mp3?size=4000&host=rebind.example.com:{port}"
    answer = upload(tenant, activity, {"url": url}, None)

    # Then it got the file, asking for it by name (the Host header), from the address checked first
    assert answer.status == 200, answer.body
    assert answer.body["recording"]["size_bytes"] == 4000
    assert looked_up == ["rebind.example.com"]


@pytest.fixture
def https_files(monkeypatch, tmp_path) -> Iterator[str]:
    """The file server over TLS, its certificate for rebind.example.com from a test CA that the
    download session trusts instead of the public ones (requests' default CA bundle path)."""
    ca = trustme.CA()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("rebind.example.com").configure_cert(server_side)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(tmp_path / "ca.pem"))
    with serving(tls=server_side) as base_url:
        yield base_url


@pytest.mark.parametrize("name", ["rebind.example.com", "elsewhere.example.com"])
def test_over_https_the_pinned_connection_checks_the_certificate_for_the_name(
    tenant, activity, https_files, monkeypatch, name
):
    # Given a name that resolves to the TLS file server once, then (rebinding) to where nothing listens
    port = urlsplit(https_files).port
    looked_up = resolve_as(monkeypatch, name, ["127.0.0.1"], ["127.0.0.2"])

    answer = upload(tenant, activity, {"url": f"https://{name}:{port}/audio.mp3?size=4000&host={name}:{port}"}, None)

    # Then the download connects to the checked address, once, and the certificate must be the name's
    # (as the Host header is the name's, or the server's virtual host check answers 421)
    assert looked_up == [name]
    if name == "rebind.example.com":
        assert answer.status == 200 and answer.body["recording"]["size_bytes"] == 4000, answer.body
    else:  # the server's certificate is for rebind.example.com
        assert refused_on_url(answer) and "SSLError" in answer.body["error"]["message"], answer.body
        assert stored_keys(tenant, activity) == []


def test_every_redirect_hop_is_resolved_and_checked_again(tenant, activity, files, monkeypatch):
    resolve_as(monkeypatch, "inside.example.com", ["10.0.0.8"])

    answer = upload(tenant, activity, {"url": f"{files}/to?url=https://inside.example.com/a.mp3"}, None)

    assert refused_on_url(answer) and "10.0.0.8" in answer.body["error"]["message"]


@pytest.mark.parametrize(
    ("url", "embedded"),
    [
        ("https://[2002:7f00:1::]/a.mp3", "127.0.0.1"),  # 6to4
        ("https://[2002:a9fe:a9fe::]/latest/meta-data/", "169.254.169.254"),  # 6to4
        ("https://[2002:a00:8::]/a.mp3", "10.0.0.8"),  # 6to4
        ("https://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "169.254.169.254"),  # NAT64
        ("https://[2001:0:4136:e378:8000:63bf:f5ff:fff7]/a.mp3", "10.0.0.8"),  # Teredo's client
        ("https://[::ffff:127.0.0.1]/a.mp3", "127.0.0.1"),  # IPv4-mapped
    ],
)
def test_ipv6_addresses_that_embed_an_internal_ipv4_are_refused_before_connecting(
    tenant, activity, monkeypatch, url, embedded
):
    monkeypatch.delenv("ALLOW_LOCAL_DOWNLOADS")
    settings.reload()

    answer = upload(tenant, activity, {"url": url}, None)

    assert refused_on_url(answer), answer.body
    assert f"address ({embedded})" in answer.body["error"]["message"]


@pytest.mark.parametrize("url", ["https://[::1", "https://[2002:7f00:1::/a.mp3", "https://example.com:99999/a.mp3"])
def test_a_url_that_cannot_be_parsed_is_a_422_naming_the_url(tenant, activity, url):
    answer = upload(tenant, activity, {"url": url}, None)

    assert refused_on_url(answer), answer.body


def test_a_redirect_to_a_url_that_cannot_be_parsed_is_refused(tenant, activity, files):
    answer = upload(tenant, activity, {"url": f"{files}/to?url=https://[::1"}, None)

    assert refused_on_url(answer) and "invalid URL" in answer.body["error"]["message"]


# --- The local-mode gate ----------------------------------------------------------------------


LOOPBACK_URLS = ["https://127.0.0.1/a.mp3", "https://[::1]/a.mp3", "https://localhost/a.mp3"]


def test_loopback_and_plain_http_are_refused_without_the_local_setting(tenant, activity, files, monkeypatch):
    # Given the emulator on loopback as always in tests, but no ALLOW_LOCAL_DOWNLOADS: nothing is inferred
    monkeypatch.delenv("ALLOW_LOCAL_DOWNLOADS")
    settings.reload()
    assert urlsplit(os.environ["AWS_ENDPOINT_URL"]).hostname == "127.0.0.1"

    for url in [f"{files}/audio.mp3", *LOOPBACK_URLS]:
        answer = upload(tenant, activity, {"url": url}, None)
        assert refused_on_url(answer), (url, answer.body)


def test_the_local_setting_is_ignored_inside_lambda(tenant, activity, files, monkeypatch):
    monkeypatch.setenv("ALLOW_LOCAL_DOWNLOADS", "1")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ringbridge-UpdateCallRecording")
    settings.reload()

    for url in [f"{files}/audio.mp3", *LOOPBACK_URLS]:
        answer = upload(tenant, activity, {"url": url}, None)
        assert refused_on_url(answer), (url, answer.body)


def test_with_the_local_setting_a_loopback_file_server_is_downloaded(tenant, activity, files, monkeypatch):
    monkeypatch.setenv("ALLOW_LOCAL_DOWNLOADS", "1")
    settings.reload()

    assert upload(tenant, activity, {"url": f"{files}/audio.mp3"}, None).status == 200


# --- Exact size limits ------------------------------------------------------------------------

LIMIT = 100_000


@pytest.mark.parametrize("path", ["/audio.mp3", "/stream"])
def test_a_download_of_exactly_the_limit_is_accepted_and_one_byte_more_is_413(
    tenant, activity, files, monkeypatch, path
):
    monkeypatch.setenv("RECORDING_MAX_BYTES", str(LIMIT))
    settings.reload()

    exact = upload(tenant, activity, {"url": f"{files}{path}?size={LIMIT}"}, None)
    over = upload(tenant, activity, {"url": f"{files}{path}?size={LIMIT + 1}"}, None)

    assert exact.status == 200 and exact.body["recording"]["size_bytes"] == LIMIT, exact.body
    assert over.status == 413 and over.body["error"]["field"] == "url", over.body
    assert stored_keys(tenant, activity) == [exact.body["recording"]["key"]] and pending_uploads() == []


def test_a_streamed_download_over_the_limit_within_its_last_unsent_part_is_413(tenant, activity, files, monkeypatch):
    # 12 MB against 9 MB: one 8 MiB part is sent, the rest stays in the buffer; the limit counts it
    monkeypatch.setenv("RECORDING_MAX_BYTES", str(9 * 1000 * 1000))
    settings.reload()

    answer = upload(tenant, activity, {"url": f"{files}/stream?size={12 * 1000 * 1000}"}, None)

    assert answer.status == 413, answer.body
    assert stored_keys(tenant, activity) == [] and pending_uploads() == []


@pytest.mark.parametrize("limit", [999, 1000, 1001])  # in base64: no padding, "==", "="
def test_a_raw_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_413(tenant, activity, monkeypatch, limit):
    # API Gateway hands binary bodies over base64-encoded: the limit is on the decoded bytes
    monkeypatch.setenv("RECORDING_MAX_BYTES", str(limit))
    settings.reload()

    over = upload(tenant, activity, MP3_HEAD + bytes(limit + 1 - len(MP3_HEAD)), "audio/mpeg")
    exact = upload(tenant, activity, MP3_HEAD + bytes(limit - len(MP3_HEAD)), "audio/mpeg")

    assert over.status == 413 and over.body["error"]["field"] == "body", over.body
    assert exact.status == 200 and exact.body["recording"]["size_bytes"] == limit, exact.body


def test_plain_http_reaches_only_loopback_even_with_the_local_setting(tenant, activity, monkeypatch):
    resolve_as(monkeypatch, "files.example.com", ["93.184.216.34"])

    answer = upload(tenant, activity, {"url": "http://files.example.com/a.mp3"}, None)

    assert refused_on_url(answer) and "plain http only reaches loopback" in answer.body["error"]["message"]


def test_a_proxy_in_the_environment_is_not_used(tenant, activity, files, monkeypatch):
    # A proxy would connect wherever it likes after our checks: downloads ignore it (boto3 reaches
    # the emulator on 127.0.0.1 directly, by NO_PROXY)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1")
    resolve_as(monkeypatch, "files.example.com", ["127.0.0.1"])
    url = f"http://files.example.com:{urlsplit(files).port}/audio.mp3"

    assert upload(tenant, activity, {"url": url}, None).status == 200


def test_a_download_cut_off_midway_is_422_and_leaves_no_upload_behind(tenant, activity, files):
    answer = upload(tenant, activity, {"url": f"{files}/truncated?size=3000000"}, None)

    assert refused_on_url(answer), answer.body
    assert answer.body["error"]["message"] == "the download failed: ChunkedEncodingError"
    assert stored_keys(tenant, activity) == [] and pending_uploads() == []


# --- a server that drips ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["length=1", "length=0", "where=headers"],
    ids=["body-with-length", "body-until-close", "headers"],
)
def test_a_server_that_drips_is_cut_at_the_whole_downloads_deadline(tenant, activity, files, monkeypatch, query):
    # Given a bound of 1 s for a whole download, and a server that sends a byte every 50 ms: no read
    # ever waits long enough for a read timeout, but the whole file would take 10 s
    monkeypatch.setattr(downloads, "TOTAL_SECONDS", 1)

    started = time.monotonic()
    answer = upload(tenant, activity, {"url": f"{files}/drip?size=200&every=0.05&{query}"}, None)

    # Then the download ends at its deadline, refused as the URL's problem, with nothing stored:
    # a body cut short where only the connection's close marks its end is not taken for a whole one
    assert refused_on_url(answer), answer.body
    assert answer.body["error"]["message"] == "took longer than 1 s to download"
    assert time.monotonic() - started < 5
    assert stored_keys(tenant, activity) == [] and pending_uploads() == []


def test_over_https_a_server_that_drips_is_cut_at_the_deadline_too(tenant, activity, https_files, monkeypatch):
    # The TLS socket replaces the plain one it was made from: the watchdog must reach that one
    monkeypatch.setattr(downloads, "TOTAL_SECONDS", 1)
    port = urlsplit(https_files).port
    resolve_as(monkeypatch, "rebind.example.com", ["127.0.0.1"])

    answer = upload(tenant, activity, {"url": f"https://rebind.example.com:{port}/drip?size=200&every=0.05"}, None)

    assert refused_on_url(answer), answer.body
    assert answer.body["error"]["message"] == "took longer than 1 s to download"
    assert stored_keys(tenant, activity) == []
