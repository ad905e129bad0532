"""The whole-list answer: what fits Lambda's 6 MB response, plain or gzip, and gzip negotiation."""

import base64
import gzip
import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from ringbridge import clock, http_lists
from ringbridge.dal import pagination
from ringbridge.http_lists import ENVELOPE_BYTES, LAMBDA_RESPONSE_MAX_BYTES, ListBody, accepts_gzip, whole_list
from ringbridge.models.contacts import Contact


def contacts(count: int) -> list[tuple[str, str]]:
    """Realistic contacts as the hook streams them: (JSON text, cursor after it); Cyrillic names escape to 6 bytes."""
    items = []
    for index in range(count):
        contact = Contact(
            id=f"01JD{index:022d}",
            first_name=f"Олена {index}",
            last_name="Петренко",
            job_title="Менеджер з продажу",
            company_name=f"ТОВ Компанія {index % 300}",
            phones=[
                {"number": f"+380 67 {index:07d}", "type": "mobile", "e164": f"+38067{index:07d}"},
                {"number": f"044 {index:07d}", "type": "work", "e164": f"+38044{index:07d}"},
            ],
            emails=[f"olena.petrenko{index}@example.com"],
            version=3,
            created_at="2026-11-20T10:15:30.123Z",
            updated_at=f"2026-11-2{index % 6}T1{index % 10}:15:30.{index % 1000:03d}Z",
        )
        items.append((contact.model_dump_json(), pagination.encode(f"CONTACT#{contact.id}")))
    return items


def payload(response) -> int:
    """The size of the Lambda response payload the resolver makes of this answer."""
    return len(
        json.dumps(
            {
                "statusCode": response.status_code,
                "body": response.body,
                "isBase64Encoded": response.base64_encoded,
                "headers": response.headers,
            }
        )
    )


def decoded(response) -> dict:
    if response.base64_encoded:
        return json.loads(gzip.decompress(base64.b64decode(response.body)))
    return json.loads(response.body)


@pytest.fixture(scope="module")
def many() -> list[tuple[str, str]]:
    return contacts(20_000)


def test_a_plain_answer_stops_just_before_six_megabytes_and_names_the_rest(many):
    response = whole_list("contacts", many, None)
    listed = decoded(response)
    count = len(listed["contacts"])
    # Lambda would refuse a larger payload; this one is under the bound...
    assert payload(response) <= LAMBDA_RESPONSE_MAX_BYTES
    # ...and the next contact would not have fitted (nothing is cut early)
    escaped_next = len(json.dumps(many[count][0]))
    assert payload(response) + escaped_next + ENVELOPE_BYTES > LAMBDA_RESPONSE_MAX_BYTES
    assert [c["id"] for c in listed["contacts"]] == [json.loads(text)["id"] for text, _ in many[:count]]
    # next resumes right after the last one given
    assert listed["next"] == many[count - 1][1]


def test_gzip_carries_every_contact_that_plain_could_not(many):
    response = whole_list("contacts", many, "gzip")
    listed = decoded(response)
    assert response.headers["Content-Encoding"] == "gzip" and response.base64_encoded
    assert payload(response) <= LAMBDA_RESPONSE_MAX_BYTES
    assert len(listed["contacts"]) == len(many) and listed["next"] is None


def test_gzip_cuts_near_the_bound_when_even_compressed_it_is_too_large():
    # Incompressible items (random text) make the compressed body grow about as fast as the plain one
    rng = random.Random(7)
    items = [(json.dumps({"id": base64.b64encode(rng.randbytes(300)).decode()}), f"c{i}") for i in range(30_000)]
    response = whole_list("contacts", items, "gzip")
    listed = decoded(response)
    count = len(listed["contacts"])
    assert 0 < count < len(items) and listed["next"] == f"c{count - 1}"
    assert payload(response) <= LAMBDA_RESPONSE_MAX_BYTES
    # the upper bound it keeps costs little: the answer is within 1% of the bound
    assert payload(response) > LAMBDA_RESPONSE_MAX_BYTES * 0.99


def test_the_exact_limit_fits_and_one_byte_less_does_not():
    items = contacts(30)
    body = ListBody("contacts", compress=False, max_bytes=10**9)
    for text, cursor in items:
        assert body.add(text, cursor)
    whole = body.finish(None).decode()
    # The bound counts the escaped text, the envelope, and the tail that names a cursor (what the
    # body needs if more were left), though a complete body ends with "next": null
    tail_null, tail_cursor = '],"next":null}', f'],"next":{json.dumps(items[-1][1])}}}'
    needed = len(json.dumps(whole)) - len(json.dumps(tail_null)) + len(json.dumps(tail_cursor)) + ENVELOPE_BYTES
    exact = ListBody("contacts", compress=False, max_bytes=needed)
    assert all(exact.add(text, cursor) for text, cursor in items)
    short = ListBody("contacts", compress=False, max_bytes=needed - 1)
    assert [short.add(text, cursor) for text, cursor in items][-1] is False
    assert short.count == 29


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *", False),
        ("*;q=0", False),
        ("deflate, br", False),
        ("identity", False),
        ("", False),
        (None, False),
        ("gzip;q=bad", False),
    ],
)
def test_gzip_is_used_when_the_client_accepts_it(header, accepted):
    assert accepts_gzip(header) is accepted


def test_the_envelope_allowance_holds_the_headers_we_send():
    response = http_lists.whole_list("contacts", [], "gzip")
    assert payload(response) - len(response.body) < ENVELOPE_BYTES


def test_a_list_stops_growing_at_its_deadline_and_names_the_rest(monkeypatch):
    # A clock that moves one second each time it is read: the answer must end before the deadline
    start = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    ticks = iter(range(10_000))
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=next(ticks)))

    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return 10_000  # 10 s left, 3 kept to finish: 7 s of listing

    until = http_lists.deadline(Context())  # read at second 0: until second 7
    items = contacts(20)
    listed = decoded(whole_list("contacts", items, "gzip", until))
    # the first item goes in unasked, then reads at seconds 1..7 before each: the seventh stops the list
    assert len(listed["contacts"]) == 7 and listed["next"] == items[6][1]


def test_a_list_past_its_deadline_still_carries_its_first_item_and_names_the_rest():
    items = contacts(3)
    listed = decoded(whole_list("contacts", items, "gzip", clock.now() - timedelta(seconds=1)))
    assert len(listed["contacts"]) == 1 and listed["next"] == items[0][1]
