"""Mapping our activities and contacts to Ringio's shapes (pure functions)."""

import pytest

from ringbridge.logic.ringio import contact_out
from ringbridge.logic.ringio_read import ring_out
from ringbridge.models.contacts import Contact

ACTIVITY = {
    "id": "A1",
    "call_id": "c1",
    "direction": "inbound",
    "status": "completed",
    "caller_number": "380441111111",
    "called_number": "101",
    "user_id": "U1",
    "contact_id": "C1",
    "started_at": "2026-11-23T10:00:00.000Z",
    "duration_seconds": 3,
    "version": 2,
    "created_at": "2026-11-23T10:00:00.000Z",
    "updated_at": "2026-11-23T10:00:03.000Z",
}


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({}, "completed"),
        ({"cause": "0"}, "completed"),
        ({"cause": "17"}, "ended:17"),
        ({"status": "active", "duration_seconds": None}, "in_progress"),
        ({"disposition": "voicemail", "cause": "17"}, "voicemail"),
    ],
)
def test_the_outcome_is_the_disposition_or_else_the_state_and_cause(changes, outcome):
    assert ring_out({**ACTIVITY, **changes}).ring.outcome == outcome


def test_direction_decides_who_called_whom_and_duration_is_in_milliseconds():
    inbound = ring_out(ACTIVITY).ring
    assert (inbound.from_type, inbound.from_id, inbound.to_type, inbound.to_id) == ("contact", "C1", "user", "U1")
    outbound = ring_out({**ACTIVITY, "direction": "outbound"}).ring
    assert (outbound.from_type, outbound.from_id, outbound.to_type, outbound.to_id) == ("user", "U1", "contact", "C1")
    assert inbound.duration == 3000 and inbound.kind == "call" and inbound.last_updated == ACTIVITY["updated_at"]


def contact(**fields):
    base = {
        "id": "C1",
        "version": 1,
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
    }
    return Contact(**{**base, **fields})


def test_a_remembered_phone_rel_yields_to_a_type_changed_later_through_ringotel():
    remembered = {"telephone:0441": "pager", "telephone:0442": "pager"}
    phones = [
        {"number": "0441", "type": "other", "e164": "+380441"},  # still "other": the remembered pager stands
        {"number": "0442", "type": "mobile", "e164": "+380442"},  # Ringotel made it mobile since
    ]
    data = contact_out(contact(phones=phones, data_rels=remembered)).contact.data
    assert [(d.value, d.rel, d.is_primary) for d in data] == [("0441", "pager", True), ("0442", "mobile", False)]


def test_the_name_joins_first_and_last_name_and_skips_a_missing_part():
    assert contact_out(contact(first_name="Ivan", last_name="Franko")).contact.name == "Ivan Franko"
    assert contact_out(contact(last_name="Franko")).contact.name == "Franko"
