import pytest

from ringbridge.dal import pagination
from ringbridge.errors import InvalidInput


def test_a_cursor_round_trips_to_the_sort_key_it_names():
    assert pagination.decode(pagination.encode("CONTACT#01ABC"), "CONTACT#") == "CONTACT#01ABC"


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        ("!!!", "is not a cursor this API returned"),
        ("bm90IGpzb24", "is not a cursor this API returned"),
        (pagination.encode("ORG#1"), "is not a cursor for this list"),
        (pagination.encode("USER#1"), "is not a cursor for this list"),
        (pagination.encode("CONTACT#" + "x" * 249), "is not a cursor for this list"),  # 257 bytes
    ],
)
def test_garbage_foreign_or_oversized_cursors_are_refused_naming_the_field(cursor, message):
    with pytest.raises(InvalidInput) as refused:
        pagination.decode(cursor, "CONTACT#")
    assert (refused.value.field, refused.value.message) == ("cursor", message)


def test_a_sort_key_of_exactly_the_limit_is_a_valid_cursor():
    sort_key = "CONTACT#" + "x" * (pagination.MAX_KEY_BYTES - len("CONTACT#"))
    assert pagination.decode(pagination.encode(sort_key), "CONTACT#") == sort_key


def test_every_cursor_round_trips_whatever_its_length():
    # Every remainder of the length by 4 (the padding stripped) and by 5, for a miscounted padding
    sort_keys = [f"CONTACT#{'x' * n}" for n in range(20)]
    cursors = [pagination.encode(sort_key) for sort_key in sort_keys]

    assert [pagination.decode(cursor, "CONTACT#") for cursor in cursors] == sort_keys
    assert {len(cursor) % 20 for cursor in cursors} >= {2, 3, 7, 10, 11, 15, 18, 19}
