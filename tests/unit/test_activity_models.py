"""Activity input models: Ringotel's times and ids."""

import pytest
from pydantic import ValidationError

from ringbridge.models.activities import ActivityCreate, ActivityStop
from ringbridge.models.webhook import CallParams


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1729693708182, "2024-10-23T14:28:28.182Z"),
        ("1729693708182", "2024-10-23T14:28:28.182Z"),
        ("2024-10-23T14:28:28Z", "2024-10-23T14:28:28.000Z"),
        ("2024-10-23T17:28:28.5+03:00", "2024-10-23T14:28:28.500Z"),
        ("2024-10-23T14:28:28", "2024-10-23T14:28:28.000Z"),
    ],
)
def test_start_times_are_epoch_milliseconds_or_iso_and_stored_as_utc(value, expected):
    assert ActivityCreate(call_id="c", direction="inbound", started_at=value).started_at == expected


@pytest.mark.parametrize("value", [1729693708, "1729693708", "tomorrow", True, -5, 10**14])
def test_seconds_and_nonsense_are_refused(value):
    with pytest.raises(ValidationError) as refused:
        ActivityCreate(call_id="c", direction="inbound", started_at=value)
    assert refused.value.errors()[0]["loc"] == ("started_at",)


@pytest.mark.parametrize("call_id", ["", "a/b", "a#b", "a b", "x" * 129])
def test_call_ids_that_cannot_be_a_path_segment_or_key_part_are_refused(call_id):
    with pytest.raises(ValidationError):
        ActivityCreate(call_id=call_id, direction="inbound")


def test_stop_duration_is_not_negative():
    with pytest.raises(ValidationError):
        ActivityStop(duration_seconds=-1)


@pytest.mark.parametrize(("value", "seconds"), [(42, 42), ("42", 42), (" 42 ", 42), ("0", 0), ("604800", 604800)])
def test_a_duration_is_a_whole_number_or_its_digits(value, seconds):
    assert ActivityStop(duration_seconds=value).duration_seconds == seconds


@pytest.mark.parametrize("value", ["+0.0", "4e1", "-1", "4.0", "٤٢", "604801", True])
def test_a_duration_in_any_other_text_is_refused_as_the_schema_says(value):
    # the OpenAPI document allows a whole number or its digits as text; pydantic alone would read "+0.0"
    with pytest.raises(ValidationError) as refused:
        ActivityStop(duration_seconds=value)
    assert refused.value.errors()[0]["loc"] == ("duration_seconds",)


def test_webhook_params_ignore_fields_we_do_not_use():
    params = CallParams(
        call_id="1729693708182-2d1c3de3d3772cdc1f",
        domain="x.ringotel.co",
        connection_id="7",
        call_start=1729693708182,
        call_duration="42",
    )
    assert params.call_start == "2024-10-23T14:28:28.182Z" and params.call_duration == 42
