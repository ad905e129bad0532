"""Ringio notes: free text about a contact; a contact's notes by ``?contact_id=``."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.dal.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ringbridge.logic import ringio, ringio_read
from ringbridge.models.common import Id
from ringbridge.models.errors import ConflictBody
from ringbridge.models.ringio import NoteIn, NoteOut, RingioNote
from ringbridge.observability import logger

app = http.create_app()


class RingioNoteConflict(ConflictBody):
    note: RingioNote | None = Field(default=None, description="The current note, when the version sent was stale")


TAGS = ["Ringio"]
NoteId = Annotated[str, Path(max_length=64)]


@app.get(
    "/ringio/notes",
    summary="List notes (of one contact with ?contact_id=): a JSON array of {note}; next page in X-Next-Cursor",
    tags=TAGS,
    responses={200: http.ok(list[NoteOut], "A page of notes", headers=http.NEXT_PAGE)},
)
def list_notes(
    contact_id: Annotated[Id | None, Query(description="Only this contact's notes")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1024, description="X-Next-Cursor of the previous page")] = None,
) -> Response[list[NoteOut]]:
    found, next_cursor = ringio.list_notes(current_caller().account, contact_id, limit, cursor)
    return ringio_read.http_lists(found, next_cursor, "/ringio/notes", {"contact_id": contact_id, "limit": limit})


@app.post(
    "/ringio/notes",
    summary="Create a note about a contact",
    tags=TAGS,
    responses={201: http.ok(NoteOut, "Created", headers=http.ETAG), **http.errors(409)},
)
def create_note(body: NoteIn) -> Response[NoteOut]:
    created = ringio.create_note(current_caller().account, body.note)
    return http.versioned(created, created.note.version, status=201)


@app.get(
    "/ringio/notes/<note_id>",
    summary="Read a note",
    tags=TAGS,
    responses={200: http.ok(NoteOut, headers=http.ETAG), **http.errors(404)},
)
def get_note(note_id: NoteId) -> Response[NoteOut]:
    found = ringio.get_note(current_caller().account, note_id)
    return http.versioned(found, found.note.version)


@app.put(
    "/ringio/notes/<note_id>",
    summary="Update a note (only the fields sent)",
    tags=TAGS,
    responses={
        200: http.ok(NoteOut, "Updated", headers=http.ETAG),
        **http.errors(404),
        **http.conflict(
            RingioNoteConflict,
            "Stale `version` or `If-Match`, or a concurrent change; the body carries the current note",
        ),
    },
)
def update_note(note_id: NoteId, body: NoteIn, if_match: http.IfMatch = None) -> Response[NoteOut]:
    updated = ringio.update_note(current_caller().account, note_id, body.note, if_match)
    return http.versioned(updated, updated.note.version)


@app.delete(
    "/ringio/notes/<note_id>",
    summary="Delete a note; the notes feed reports it as deleted",
    tags=TAGS,
    responses={
        200: http.ok(dict[str, Any], "Deleted: an empty object"),
        **http.errors(404),
        **http.conflict(
            RingioNoteConflict, "Stale `If-Match`, or a concurrent change; the body carries the current note"
        ),
    },
)
def delete_note(note_id: NoteId, if_match: http.IfMatch = None) -> dict[str, Any]:
    ringio.delete_note(current_caller().account, note_id, if_match)
    return {}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
