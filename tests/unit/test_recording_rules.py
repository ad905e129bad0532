"""Pure rules of recordings: which addresses a download may reach, and what counts as audio."""

import ipaddress

import pytest

from ringbridge import downloads
from ringbridge.errors import InvalidInput, UnsupportedMediaType
from ringbridge.logic import recordings


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "fd00:ec2::254",
        "fe80::1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "192.0.2.10",
        "::ffff:192.168.1.1",
        "::",
    ],
)
def test_non_public_addresses_are_refused(address):
    with pytest.raises(InvalidInput) as refused:
        downloads.check_address(ipaddress.ip_address(address), allow_loopback=True)
    assert refused.value.field == "url"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_only_in_local_mode(address):
    downloads.check_address(ipaddress.ip_address(address), allow_loopback=True)
    with pytest.raises(InvalidInput):
        downloads.check_address(ipaddress.ip_address(address), allow_loopback=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_pass(address):
    downloads.check_address(ipaddress.ip_address(address), allow_loopback=False)


def test_plain_http_is_refused_outside_local_mode_before_any_lookup():
    with pytest.raises(InvalidInput, match="https"):
        downloads.checked_address("http://recordings.example.com/a.mp3", allow_loopback=False)


def test_plain_http_in_local_mode_reaches_only_loopback():
    assert str(downloads.checked_address("http://127.0.0.1:9/a.mp3", allow_loopback=True)) == "127.0.0.1"
    with pytest.raises(InvalidInput) as refused:
        downloads.checked_address("http://93.184.216.34/a.mp3", allow_loopback=True)
    assert refused.value.message == "must be an https:// URL (plain http only reaches loopback, in local mode)"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"#!AMR\n", "audio/amr"),
        (b"\x00\x00\x00\x20ftypM4A ", "audio/mp4"),
        (b"\x1aE\xdf\xa3\x01\x00", "audio/webm"),
        (b".snd\x00\x00\x00\x18", "audio/basic"),
        (b"\xff\xfb", "audio/mpeg"),  # as short as a frame header can be
        (b"\xff", None),
        (b"RIFF\x00\x00\x00\x00AVI LIST", None),  # RIFF, but video
        (b"....WAVEfmt ", None),
        (b"%PDF-1.7", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_audio_is_recognized_by_its_first_bytes(head, expected):
    assert recordings.sniff(head) == expected


def test_a_declared_audio_type_is_kept_and_others_are_415():
    assert recordings.audio_type("Audio/MPEG; rate=8000", b"", "Content-Type") == "audio/mpeg"
    assert recordings.audio_type("application/octet-stream", b"OggS", "Content-Type") == "audio/ogg"
    assert recordings.audio_type(None, b"fLaC", "url") == "audio/flac"
    for declared, head in [("text/plain", b"ID3"), ("video/mp4", b"\x00\x00\x00\x20ftyp"), (None, b"%PDF")]:
        with pytest.raises(UnsupportedMediaType):
            recordings.audio_type(declared, head, "Content-Type")
