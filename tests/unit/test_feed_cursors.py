"""A feed's cursor reads back as what it was made of, whatever its length (its "=" padding is stripped)."""

from ringbridge.logic import feeds


def test_a_feed_cursor_of_any_length_reads_back():
    since = "2026-11-20T10:00:00.000Z"
    lengths = set()
    for n in range(20):
        change_key, sort_key = f"{since}#01ABC", "CONTACT#" + "x" * n
        cursor = feeds._encode("", since, "2026-11-20T10:05:00.000Z", change_key, sort_key)
        lengths.add(len(cursor) % 20)

        assert feeds._decode(cursor, "", since) == ("2026-11-20T10:05:00.000Z", (change_key, sort_key))
    # Every remainder by 4 that needs padding, against each remainder by 5 (a miscounted padding)
    assert lengths >= {2, 3, 6, 7, 10, 11, 14, 15, 18, 19}
