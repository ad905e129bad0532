"""Items read from DynamoDB come back as plain Python: numbers as ints where whole, floats otherwise (never
Decimals), sets as sorted lists."""

from ringbridge.dal import table


def test_numbers_and_sets_read_as_plain_python_at_any_depth():
    item = {
        "count": {"N": "3"},
        "seconds": {"N": "12.5"},
        "nested": {"M": {"ratio": {"N": "0.25"}, "items": {"L": [{"N": "1"}, {"N": "2.0"}]}}},
        "tags": {"SS": ["b", "a"]},
        "sizes": {"NS": ["2", "1.5"]},
    }

    values = table.from_item(item)

    assert values == {
        "count": 3,
        "seconds": 12.5,
        "nested": {"ratio": 0.25, "items": [1, 2]},
        "tags": ["a", "b"],
        "sizes": [1.5, 2],
    }
    assert [type(values["count"]), type(values["seconds"]), type(values["nested"]["items"][1])] == [int, float, int]
