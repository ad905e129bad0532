"""Optimistic concurrency rules: ETags, If-Match and the 409 a stale version gets."""

import pytest
from pydantic import BaseModel

from ringbridge.errors import Conflict, InvalidInput
from ringbridge.logic import etags


class Item(BaseModel):
    id: str
    version: int


def test_an_etag_is_the_quoted_version():
    assert etags.etag(3) == '"3"'


@pytest.mark.parametrize("if_match", ['"3"', "3", ' "3" ', 'W/"3"', ' W/"3"'])
def test_if_match_reads_strong_weak_and_bare_etags(if_match):
    assert etags.from_etag(if_match, "contact") == 3


@pytest.mark.parametrize("if_match", ["", '"three"', "X3X", '"-1"', '"3"W/', "*", '"3.0"'])
def test_an_if_match_that_is_not_a_version_is_422_naming_the_header(if_match):
    with pytest.raises(InvalidInput) as refused:
        etags.from_etag(if_match, "note")

    assert refused.value.field == "If-Match"
    assert refused.value.message == 'must be the ETag of the note, like "3"'


def test_a_stale_version_is_409_carrying_the_current_item():
    current = Item(id="C1", version=4)

    with pytest.raises(Conflict) as conflict:
        etags.check(3, current, "contact")

    assert conflict.value.field == "version"
    assert conflict.value.message == "version 3 is stale; the contact is at version 4"
    assert conflict.value.details == {"contact": {"id": "C1", "version": 4}}
    with pytest.raises(Conflict) as from_header:
        etags.check(5, current, "contact", field="If-Match")
    assert from_header.value.field == "If-Match"


@pytest.mark.parametrize("expected", [None, 4])
def test_the_current_version_or_none_passes(expected):
    assert etags.check(expected, Item(id="C1", version=4), "contact") is None
