"""Reading RingCloud's completed calls and configuration: what the import and the admin rely on."""

import time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from ringbridge.logic.ringcloud_import import read_call
from ringbridge.models.ringcloud import RingcloudConfig

KYIV, UTC = ZoneInfo("Europe/Kyiv"), ZoneInfo("UTC")
CALL = {
    "status": "complete",
    "direction": "incoming",
    "src": "380441111111",
    "dst": "101",
    "call_start_time": "2026-07-01 10:00:00",
    "call_end_time": "2026-07-01 10:02:00",
    "duration": 120,
    "disposition": "ANSWERED",
    "rec_file": None,
}


@pytest.fixture(autouse=True)
def machine_zone_restored():
    yield
    time.tzset()  # after monkeypatch has put TZ back


def test_an_incoming_call_is_inbound_in_the_accounts_zone():
    call = read_call(CALL, KYIV)
    assert call is not None
    assert (call.direction, call.src, call.dst) == ("inbound", "380441111111", "101")
    assert (call.started_at, call.ended_at) == ("2026-07-01T07:00:00.000Z", "2026-07-01T07:02:00.000Z")  # UTC+3 in July
    assert (call.duration_seconds, call.disposition, call.rec_file) == (120, "ANSWERED", None)


@pytest.mark.parametrize("value", [None, "", "  ", {"number": "380441111111"}, ["380441111111"]])
def test_a_text_field_that_is_missing_blank_or_no_text_is_none(value):
    call = read_call({**CALL, "src": value, "dst": value, "disposition": value}, UTC)
    assert call is not None
    assert (call.src, call.dst, call.disposition) == (None, None, None)


def test_internal_calls_are_left_out_and_unknown_directions_refused():
    assert read_call({**CALL, "direction": "internal"}, UTC) is None
    with pytest.raises(ValueError, match="direction"):
        read_call({**CALL, "direction": "sideways"}, UTC)
    with pytest.raises(ValueError, match="unreadable time"):
        read_call({**CALL, "call_start_time": "yesterday"}, UTC)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("direction", None, "unknown direction ''"),
        ("direction", "sideways" * 5, f"unknown direction {('sideways' * 5)[:20]!r}"),
        ("call_start_time", "yesterday " * 5, f"unreadable time {('yesterday ' * 5)[:40]!r}"),
        ("call_end_time", "later", "unreadable time 'later'"),
    ],
    ids=["no-direction", "long-direction", "long-time", "end-time"],
)
def test_a_call_that_cannot_be_read_is_refused_quoting_the_start_of_the_value(field, value, problem):
    with pytest.raises(ValueError) as refused:
        read_call({**CALL, field: value}, UTC)
    assert str(refused.value) == problem


@pytest.mark.parametrize("end", ["2026-07-01 10:05:00", 1782900300])
def test_the_end_is_ringclouds_end_time_when_it_sends_one(end):
    # (RingCloud's duration may be the talk time alone, without the ringing before it)
    call = read_call({**CALL, "call_end_time": end, "duration": 120}, UTC)
    assert call is not None
    assert (call.ended_at, call.duration_seconds) == ("2026-07-01T10:05:00.000Z", 120)


@pytest.mark.parametrize("end", [None, ""])
def test_without_an_end_time_the_end_is_the_start_plus_the_duration(end):
    call = read_call({**CALL, "call_end_time": end, "duration": 95}, KYIV)
    assert call is not None
    assert (call.started_at, call.ended_at) == ("2026-07-01T07:00:00.000Z", "2026-07-01T07:01:35.000Z")


def test_the_call_id_follows_the_calls_fields_not_the_zone_or_the_recording():
    same = read_call(CALL, UTC)
    assert same is not None
    assert same.call_id == read_call(CALL, KYIV).call_id == read_call({**CALL, "rec_file": "/r/1.wav"}, UTC).call_id
    assert same.call_id != read_call({**CALL, "src": "380441111112"}, UTC).call_id
    assert same.call_id != read_call({**CALL, "call_start_time": "2026-07-01 10:00:01"}, UTC).call_id
    assert same.call_id.startswith("ringcloud-")


def test_a_calls_id_is_the_same_in_every_version_so_an_upgrade_imports_nothing_again():
    # Ids as earlier versions stored them: a call, one without its called number, one whose number holds
    # a lone surrogate (JSON may carry one; UTF-8 cannot encode it)
    assert read_call(CALL, UTC).call_id == "ringcloud-87db1fc74614c01a8a0cfbaa7307f182"
    assert read_call({**CALL, "dst": None}, UTC).call_id == "ringcloud-20fe8bb58ea2795230edbd3b87a84650"
    assert read_call({**CALL, "src": "38044\ud800"}, UTC).call_id == "ringcloud-1cae0cad0a6590bd4adf0f9506a8716f"


def test_iso_times_with_a_z_or_an_offset_are_read_as_given_whatever_the_accounts_zone():
    call = read_call(
        {**CALL, "call_start_time": "2026-07-01T10:00:00Z", "call_end_time": "2026-07-01T13:02:00+03:00"}, KYIV
    )
    assert call is not None
    assert (call.started_at, call.ended_at) == ("2026-07-01T10:00:00.000Z", "2026-07-01T10:02:00.000Z")


def test_an_epoch_number_from_10_to_the_11_is_milliseconds():
    # (10**11 seconds would be the year 5138; 10**11 milliseconds is 1973)
    call = read_call({**CALL, "call_start_time": 10**11, "call_end_time": None}, UTC)
    assert call is not None and call.started_at == "1973-03-03T09:46:40.000Z"


@pytest.mark.parametrize(("start", "shown"), [(float("inf"), "inf"), ("9" * 50, "9" * 40)])
def test_an_epoch_time_out_of_range_is_refused_quoting_it(start, shown):
    with pytest.raises(ValueError) as refused:
        read_call({**CALL, "call_start_time": start}, UTC)
    assert str(refused.value) == f"time {shown!r} is out of range"


@pytest.mark.parametrize("start", [None, True])
def test_a_call_without_a_start_time_is_refused_saying_so(start):
    with pytest.raises(ValueError) as refused:
        read_call({**CALL, "call_start_time": start}, UTC)
    assert str(refused.value) == "missing time"


@pytest.mark.parametrize(
    ("duration", "seconds"), [(None, 0), ("", 0), (0, 0), ("0", 0), ("95.7", 95), (86_400, 86_400)]
)
def test_a_duration_is_whole_seconds_from_0_to_a_day_and_0_when_missing(duration, seconds):
    call = read_call({**CALL, "duration": duration}, UTC)
    assert call is not None
    assert call.duration_seconds == seconds


@pytest.mark.parametrize(
    ("duration", "problem"),
    [
        (True, "duration is a bool, not a number"),
        ({"seconds": 95}, "duration is a dict, not a number"),
        ("95 s", "duration '95 s' is not a number"),
        ("9" * 39 + "x" * 11, f"duration {'9' * 39 + 'x'!r} is not a number"),
        (86_401, "duration '86401' is outside 0 to 86400 seconds"),
        ("9" * 50, f"duration {'9' * 40!r} is outside 0 to 86400 seconds"),
        (-1, "duration '-1' is outside 0 to 86400 seconds"),
    ],
)
def test_a_duration_that_is_no_number_of_seconds_within_a_day_is_refused_saying_why(duration, problem):
    with pytest.raises(ValueError) as refused:
        read_call({**CALL, "duration": duration}, UTC)
    assert str(refused.value) == problem


@pytest.mark.parametrize("machine_zone", ["UTC", "America/New_York"])
def test_epoch_times_in_seconds_or_milliseconds(machine_zone, monkeypatch):
    # (whatever the zone of the machine running it: Lambda's is UTC, a developer's laptop may not be)
    monkeypatch.setenv("TZ", machine_zone)
    time.tzset()
    seconds = read_call({**CALL, "call_start_time": 1782900000, "call_end_time": None}, KYIV)
    millis = read_call({**CALL, "call_start_time": "1782900000000", "call_end_time": None}, KYIV)
    assert seconds is not None and millis is not None
    assert seconds.started_at == millis.started_at == "2026-07-01T10:00:00.000Z"
    assert seconds.ended_at == "2026-07-01T10:02:00.000Z"  # start + duration


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"api_key": "abc"}, "api_key"),
        ({"api_key": "12_a b"}, "api_key"),
        ({"api_key": "12_a&hash=x"}, "api_key"),
        ({"rw_api_key": "_x"}, "rw_api_key"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"days": 0}, "days"),
        ({"days": 8}, "days"),
    ],
)
def test_bad_configuration_names_the_field(change, field):
    with pytest.raises(ValidationError) as raised:
        RingcloudConfig(**{"api_key": "12_abc", **change})
    assert raised.value.errors()[0]["loc"] == (field,)


def test_good_configuration():
    config = RingcloudConfig(api_key="12345_a1B2-c3", rw_api_key="12345_rw", timezone="Europe/Kyiv", days=7)
    assert (config.api_key, config.timezone, config.days) == ("12345_a1B2-c3", "Europe/Kyiv", 7)
