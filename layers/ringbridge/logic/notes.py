"""Notes: create, update, delete (leaving a tombstone for the feeds), read and list."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ringbridge import clock, ids
from ringbridge.account_scope import AccountScope
from ringbridge.dal import feeds as feeds_dal
from ringbridge.dal import notes as dal
from ringbridge.dal.table import TransactionCancelled, transact
from ringbridge.errors import Conflict, InvalidInput, NotFound
from ringbridge.logic import etags
from ringbridge.logic.contacts import tombstone_expiry
from ringbridge.models.notes import Note, NoteCreate, NoteUpdate
from ringbridge.retry import until_written

if TYPE_CHECKING:
    from ringbridge.dal.items import NoteItem, NoteReads


def create_note(scope: AccountScope, data: NoteCreate) -> Note:
    deps = dal.read_for_write(scope.account_id, None, data.contact_id, data.author_id)
    _check_references(data.contact_id, data.author_id, deps)
    now = clock.now_iso()
    note = cast(
        "NoteItem", {**data.model_dump(), "id": ids.new_id(), "version": 1, "created_at": now, "updated_at": now}
    )
    _write(dal.note_writes(scope.account_id, note, previous=None))
    return Note(**note)


def update_note(scope: AccountScope, note_id: str, data: NoteUpdate, if_match: str | None = None) -> Note:
    """Partial update with optimistic concurrency: a stale version answers 409 with the current note."""
    changes = data.model_dump(exclude_unset=True)
    expected = changes.pop("version", None)
    if expected is None and if_match:
        expected = etags.from_etag(if_match, "note")

    def attempt() -> Note:
        deps = dal.read_for_write(scope.account_id, note_id, changes.get("contact_id"), changes.get("author_id"))
        current = deps["note"]
        if current is None:
            raise NotFound("no such note", field="id")
        etags.check(expected, Note(**current), "note")
        _check_references(changes.get("contact_id"), changes.get("author_id"), deps)
        note = cast(
            "NoteItem", {**current, **changes, "version": current["version"] + 1, "updated_at": clock.now_iso()}
        )
        try:
            transact(dal.note_writes(scope.account_id, note, previous=current))
        except TransactionCancelled as cancelled:
            _raise_if_contact_gone(cancelled)
            raise  # the note changed meanwhile: read it again (a changed version answers 409 from etags.check)
        return Note(**note)

    return until_written(
        attempt, lost_race=TransactionCancelled, conflict=Conflict("the note changed concurrently; retry")
    )


def delete_note(scope: AccountScope, note_id: str, if_match: str | None = None) -> None:
    """Delete the note and its copy, leaving a tombstone for the feeds, in one transaction."""
    expected = etags.from_etag(if_match, "note") if if_match else None

    def attempt() -> None:
        current = dal.get_note(scope.account_id, note_id)
        if current is None:
            raise NotFound("no such note", field="id")
        etags.check(expected, Note(**current), "note")
        tombstone = feeds_dal.tombstone_put(scope.account_id, "NOTE", note_id, clock.now_iso(), tombstone_expiry())
        transact([*dal.note_deletes(scope.account_id, current), tombstone])

    until_written(attempt, lost_race=TransactionCancelled, conflict=Conflict("the note changed concurrently; retry"))


def get_note(scope: AccountScope, note_id: str) -> Note:
    found = dal.get_note(scope.account_id, note_id)
    if found is None:
        raise NotFound("no such note", field="id")
    return Note(**found)


def list_notes(
    scope: AccountScope, contact_id: str | None, limit: int, cursor: str | None
) -> tuple[list[Note], str | None]:
    items, next_cursor = dal.list_page(scope.account_id, contact_id, limit, cursor)
    return [Note(**item) for item in items], next_cursor


def _write(writes: list[dict]) -> None:
    try:
        transact(writes)
    except TransactionCancelled as cancelled:
        _raise_if_contact_gone(cancelled)
        raise Conflict("the note could not be written because of concurrent changes; retry") from None


def _raise_if_contact_gone(cancelled: TransactionCancelled) -> None:
    # The contact check is the first item of note_writes.
    if cancelled.reasons and cancelled.reasons[0] == "ConditionalCheckFailed":
        raise InvalidInput("is not a contact of this account", field="contact_id")


def _check_references(contact_id: str | None, author_id: str | None, deps: NoteReads) -> None:
    if contact_id and deps["contact"] is None:
        raise InvalidInput("is not a contact of this account", field="contact_id")
    if author_id and deps["author"] is None:
        raise InvalidInput("is not a user of this account", field="author_id")
