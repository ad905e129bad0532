import pytest

from ringbridge.dal import pagination
from ringbridge.errors import InvalidInput


def test_a_cursor_round_trips_to_the_sort_key_it_names():
    assert pagination.decode(pagination.encode("CONTACT#01ABC"), "CONTACT#") == "CONTACT#01ABC"


@pytest.mark.parametrize("cursor", ["!!!", "bm90IGpzb24", pagination.encode("ORG#1"), pagination.encode("USER#1")])
def test_garbage_or_foreign_cursors_are_refused_naming_the_field(cursor):
    with pytest.raises(InvalidInput) as refused:
        pagination.decode(cursor, "CONTACT#")
    assert refused.value.field == "cursor"
