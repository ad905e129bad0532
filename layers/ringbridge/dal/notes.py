"""Notes and their per-contact copies.

    PK            SK                  what
    ACCOUNT#<a>   NOTE#<n>            the note (CHG_*: in the ChangesIndex feed)
    ACCOUNT#<a>   NOTEOF#<c>#<n>      a full copy, so a contact's notes are one Query

Both are written in one transaction, with a check that the note's contact still exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ringbridge import aws
from ringbridge.dal import pagination, table
from ringbridge.dal.accounts import user_sk
from ringbridge.dal.contacts import contact_sk
from ringbridge.dal.table import account_pk, changes_pk, from_item, key, strip_keys, to_item

if TYPE_CHECKING:
    from ringbridge.dal.items import NoteCopy, NoteItem, NoteReads, StoredNote

NOTE_PREFIX = "NOTE#"


def note_sk(note_id: str) -> str:
    return f"{NOTE_PREFIX}{note_id}"


def contact_notes_prefix(contact_id: str) -> str:
    return f"NOTEOF#{contact_id}#"


def read_for_write(account_id: str, note_id: str | None, contact_id: str | None, author_id: str | None) -> NoteReads:
    """The note, its contact and its author, strongly consistent, in one round trip (None where absent)."""
    reads = table.get_named(
        account_id,
        {
            "note": note_sk(note_id) if note_id else None,
            "contact": contact_sk(contact_id) if contact_id else None,
            "author": user_sk(author_id) if author_id else None,
        },
    )
    return cast("NoteReads", reads)


def note_writes(account_id: str, note: NoteItem, previous: NoteItem | None) -> list[dict]:
    """Transaction items: the contact still exists (first), the note over ``previous``'s version, its copy."""
    check = {
        "ConditionCheck": {
            "TableName": table.name(),
            "Key": key(account_pk(account_id), contact_sk(note["contact_id"])),
            "ConditionExpression": "attribute_exists(PK)",
        }
    }
    main: StoredNote = {
        "PK": account_pk(account_id),
        "SK": note_sk(note["id"]),
        "CHG_PK": changes_pk(account_id, "NOTE"),
        "CHG_SK": f"{note['updated_at']}#{note['id']}",
        **note,
    }
    put: dict[str, Any] = {"TableName": table.name(), "Item": to_item(main)}
    if previous is None:
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        put["ConditionExpression"] = "version = :expected"
        put["ExpressionAttributeValues"] = {":expected": {"N": str(previous["version"])}}
    copy: NoteCopy = {"PK": account_pk(account_id), "SK": contact_notes_prefix(note["contact_id"]) + note["id"], **note}
    writes = [check, {"Put": put}, {"Put": {"TableName": table.name(), "Item": to_item(copy)}}]
    if previous is not None and previous["contact_id"] != note["contact_id"]:
        writes.append(_copy_delete(account_id, previous))
    return writes


def note_deletes(account_id: str, note: NoteItem) -> list[dict]:
    """Transaction items removing the note (only at the version read) and its copy."""
    delete = {
        "TableName": table.name(),
        "Key": key(account_pk(account_id), note_sk(note["id"])),
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(note["version"])}},
    }
    return [{"Delete": delete}, _copy_delete(account_id, note)]


def _copy_delete(account_id: str, note: NoteItem) -> dict:
    sk = contact_notes_prefix(note["contact_id"]) + note["id"]
    return {"Delete": {"TableName": table.name(), "Key": key(account_pk(account_id), sk)}}


def get_note(account_id: str, note_id: str) -> NoteItem | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), note_sk(note_id)), ConsistentRead=True
    )
    return cast("NoteItem", strip_keys(from_item(answer["Item"]))) if "Item" in answer else None


def list_page(
    account_id: str, contact_id: str | None, limit: int, cursor: str | None
) -> tuple[list[NoteItem], str | None]:
    """One Query: the account's notes, or one contact's, oldest first (ids are ULIDs)."""
    prefix = contact_notes_prefix(contact_id) if contact_id else NOTE_PREFIX
    items, next_cursor = pagination.query_page(
        aws.dynamodb(), table.name(), account_pk(account_id), prefix, limit, cursor
    )
    return [cast("NoteItem", strip_keys(from_item(item))) for item in items], next_cursor
