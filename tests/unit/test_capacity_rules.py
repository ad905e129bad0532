"""The bench's DynamoDB request units (tests/bench/capacity.py) follow DynamoDB's rules at their limits: what
"What one call costs" in docs/performance.md rests on."""

from tests.bench.capacity import Index, item_size, read_units, value_size, write_units

KEYS = {"PK": {"S": "ACCOUNT#a"}, "SK": {"S": "ACTIVITY#1"}}  # 2 + 9 + 2 + 10 = 23 bytes


def of_size(size: int) -> dict:
    """An item of exactly ``size`` bytes: the keys and one string attribute "d" filling the rest."""
    return {**KEYS, "d": {"S": "x" * (size - item_size(KEYS) - 1)}}


def test_sizes_of_values_follow_dynamodb() -> None:
    assert value_size({"S": "héllo"}) == 6  # UTF-8 bytes
    assert value_size({"N": "12345"}) == 4  # 5 significant digits: 3 bytes, plus 1
    assert value_size({"N": "-1.50"}) == 3  # 2 significant digits, plus 1, plus 1 for the sign
    assert value_size({"BOOL": True}) == value_size({"NULL": True}) == 1
    assert value_size({"L": [{"S": "ab"}, {"N": "7"}]}) == 3 + (1 + 2) + (1 + 2)
    assert value_size({"M": {"k": {"S": "v"}}}) == 3 + 1 + 1 + 1
    assert item_size(of_size(1024)) == 1024


def test_a_write_is_one_unit_per_kb_of_the_larger_item() -> None:
    assert write_units(None, of_size(1024)) == 1
    assert write_units(None, of_size(1025)) == 2
    assert write_units(of_size(1025), of_size(100)) == 2  # an update: the item before was larger
    assert write_units(None, None) == 1  # a failed conditional write still costs one


def test_a_read_is_one_unit_per_4_kb_and_half_when_eventually_consistent() -> None:
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=True) == 2
    assert read_units(4097, consistent=False) == 1
    assert read_units(0, consistent=True) == 1  # nothing found still costs a read


def test_an_index_entry_costs_a_write_to_add_two_to_move_none_when_its_projection_is_unchanged() -> None:
    changes = Index("ChangesIndex", ("CHG_PK", "CHG_SK"), None)
    owners = Index("OwnerChangesIndex", ("OWNER_CHG_PK", "CHG_SK"), ("id",))
    before = {**KEYS, "CHG_PK": {"S": "c"}, "CHG_SK": {"S": "1"}, "OWNER_CHG_PK": {"S": "o"}, "id": {"S": "1"}}
    moved = {**before, "CHG_SK": {"S": "2"}}
    renamed = {**before, "name": {"S": "Ivan"}}

    assert changes.writes(None, before) == 1
    assert changes.writes(before, moved) == 2  # the key changed: a delete and a put
    assert changes.writes(before, renamed) == 1  # projects everything: updated in place
    assert owners.writes(before, renamed) == 0  # "name" is not projected: the entry is unchanged
    assert changes.writes(before, {**KEYS}) == 1  # out of the index: a delete
    # An entry is its attributes plus 100 bytes: a 924-byte item makes a 1,024-byte entry, one more byte a second KB.
    index_keys = {"CHG_PK": {"S": "c"}, "CHG_SK": {"S": "1"}}  # 14 bytes
    assert changes.writes(None, {**of_size(910), **index_keys}) == 1
    assert changes.writes(None, {**of_size(911), **index_keys}) == 2
