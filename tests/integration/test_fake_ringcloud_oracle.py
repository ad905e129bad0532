"""The fake RingCloud, driven by RingCloud's own Python client (ringcloud-pyapi): the vendor's code is the
oracle, so the fake cannot drift from how the real service is called and what it answers.

The client speaks to ``api_endpoint``; pointed at the fake, every request stays on 127.0.0.1. Its rate
limits are measured on ringbridge's clock (the ``fake_clock`` fixture), which the tests move between calls.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from ringcloud_pyapi import RingCloud, RingCloudError

from ringbridge_tools.fakes.ringcloud import FakeRingcloud, tone

KEY, PASSWORD = "4242_oracle", "oracle-password"
USERS = [
    {"account_id": 4242, "num": "101", "user": "olena101", "voice_mail_box": "off", "mail": "olena@example.com"},
    {"account_id": 4242, "num": "102", "user": "taras102", "voice_mail_box": "on", "mail": None},
]


@pytest.fixture
def server(fake_clock) -> Iterator[FakeRingcloud]:
    fake = FakeRingcloud().start()
    fake.add_key(KEY, PASSWORD, "RW")
    fake.users = [dict(user) for user in USERS]
    yield fake
    fake.stop()


@pytest.fixture
def client(server) -> RingCloud:
    ringcloud = RingCloud(KEY, PASSWORD)
    ringcloud.api_endpoint = server.base_url
    return ringcloud


def add(server: FakeRingcloud, src: str, dst: str, start: str, rec_file: str | None = None) -> None:
    server.add_call(
        rec_file=rec_file,
        audio=tone(0.1) if rec_file else None,
        direction="incoming",
        src=src,
        dst=dst,
        call_start_time=start,
        call_end_time=start,
        duration=0,
    )


def test_completed_calls_default_to_seven_days_and_filter_by_number(server, client, fake_clock):
    add(server, "380441111111", "101", "2026-11-20 10:00:00")
    add(server, "380672222222", "102", "2026-11-20 11:00:00")

    everything = client.get_complete_calls()  # no days: RingCloud's default of 7
    fake_clock.advance(5)
    one_number = client.get_complete_calls(days=2, num="380672222222")

    assert [call["src"] for call in everything] == ["380441111111", "380672222222"]
    assert [call["dst"] for call in one_number] == ["102"]
    assert server.violations == 0


def test_users_one_user_and_a_users_recordings(server, client, fake_clock):
    add(server, "380441111111", "101", "2026-11-20 10:00:00", rec_file="/v1/users/olena101/records/a.wav")

    assert client.get_users() == USERS
    assert client.get_user_info("taras102") == USERS[1]
    assert client.get_user_records("olena101") == [["a.wav", "2026-11-20 10:00:00"]]
    with pytest.raises(RingCloudError, match=r"^400\. no such user$"):
        client.get_user_info("nobody")


def test_originate_sends_params_as_ringcloud_does(server, client):
    assert client.originate("olena101", "380441111111") is True
    assert server.originations == [{"user": "olena101", "num": "380441111111"}]


def test_a_recording_downloads_whole_and_errors_carry_a_message(server, client, fake_clock, tmp_path: Path):
    add(server, "380441111111", "101", "2026-11-20 10:00:00", rec_file="/v1/users/olena101/records/a.wav")

    client.download_record("olena101", "a.wav", str(tmp_path / "a.wav"))
    with pytest.raises(RingCloudError, match=r"^File not found$"):
        client.download_record("olena101", "missing.wav", str(tmp_path / "b.wav"))
    # The same file again within its 1 s window: 429, with a JSON message RingCloud's client reads
    with pytest.raises(RingCloudError, match=r"^429\. too many requests$"):
        client.download_record("olena101", "a.wav", str(tmp_path / "c.wav"))
    wrong = RingCloud(KEY, "not-the-password")
    wrong.api_endpoint = server.base_url
    with pytest.raises(RingCloudError, match=r"^403\. wrong hash$"):
        wrong.download_record("olena101", "a.wav", str(tmp_path / "d.wav"))

    assert (tmp_path / "a.wav").read_bytes() == server.files["/v1/users/olena101/records/a.wav"][0]


def test_a_read_only_key_cannot_originate(server, fake_clock):
    server.add_key("4242_readonly", "ro-password", "RO")
    client = RingCloud("4242_readonly", "ro-password")
    client.api_endpoint = server.base_url

    with pytest.raises(RingCloudError, match=r"^403\. this key is read-only$"):
        client.originate("olena101", "380441111111")
    assert server.originations == []
