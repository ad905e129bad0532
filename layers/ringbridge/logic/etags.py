"""Optimistic concurrency, the same for every versioned item (contacts, notes, activities).

An item's ``version`` is its ETag; a client that sends a stale one (in the body or ``If-Match``)
gets 409 with the current item under its name, so it can merge and retry.
"""

from pydantic import BaseModel

from ringbridge.errors import Conflict, InvalidInput


def etag(version: int) -> str:
    return f'"{version}"'


def from_etag(if_match: str, what: str) -> int:
    text = if_match.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()):  # str.isdigit() also takes "²" and "٣"
        raise InvalidInput(f'must be the ETag of the {what}, like "3"', field="If-Match")
    return int(text)


def check(expected: int | None, current: BaseModel, what: str, field: str = "version") -> None:
    version = current.version  # type: ignore[attr-defined]
    if expected is not None and expected != version:
        raise Conflict(
            f"version {expected} is stale; the {what} is at version {version}",
            field=field,
            details={what: current.model_dump()},
        )
