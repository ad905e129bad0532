"""Ringio contacts: the same contacts the Ringotel hooks see, in Ringio's shape."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.dal.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ringbridge.logic import ringio, ringio_read
from ringbridge.models.errors import ConflictBody
from ringbridge.models.ringio import ContactIn, ContactOut, RingioContact
from ringbridge.observability import logger

app = http.create_app()


class RingioContactConflict(ConflictBody):
    contact: RingioContact | None = Field(default=None, description="The current contact (none: it is gone)")


TAGS = ["Ringio"]
ContactId = Annotated[str, Path(max_length=64)]


@app.get(
    "/ringio/contacts",
    summary="List contacts: a JSON array of {contact}; the next page's cursor is in X-Next-Cursor and Link",
    tags=TAGS,
    responses={200: http.ok(list[ContactOut], "A page of contacts", headers=http.NEXT_PAGE)},
)
def list_contacts(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1024, description="X-Next-Cursor of the previous page")] = None,
) -> Response[list[ContactOut]]:
    found, next_cursor = ringio.list_contacts(current_caller().account, limit, cursor)
    return ringio_read.http_lists(found, next_cursor, "/ringio/contacts", {"limit": limit})


@app.post(
    "/ringio/contacts",
    summary="Create a contact",
    tags=TAGS,
    responses={201: http.ok(ContactOut, "Created", headers=http.ETAG), **http.errors(409)},
)
def create_contact(body: ContactIn) -> Response[ContactOut]:
    created = ringio.create_contact(current_caller().account, body.contact)
    return http.versioned(created, created.contact.version, status=201)


@app.get(
    "/ringio/contacts/<contact_id>",
    summary="Read a contact",
    tags=TAGS,
    responses={200: http.ok(ContactOut, headers=http.ETAG), **http.errors(404)},
)
def get_contact(contact_id: ContactId) -> Response[ContactOut]:
    found = ringio.get_contact(current_caller().account, contact_id)
    return http.versioned(found, found.contact.version)


@app.put(
    "/ringio/contacts/<contact_id>",
    summary="Update a contact (only the fields sent; `data` is replaced whole)",
    tags=TAGS,
    responses={
        200: http.ok(ContactOut, "Updated", headers=http.ETAG),
        **http.errors(404),
        **http.conflict(
            RingioContactConflict,
            "Stale `version` or `If-Match`, or a concurrent change; the body carries the current contact",
        ),
    },
)
def update_contact(contact_id: ContactId, body: ContactIn, if_match: http.IfMatch = None) -> Response[ContactOut]:
    updated = ringio.update_contact(current_caller().account, contact_id, body.contact, if_match)
    return http.versioned(updated, updated.contact.version)


@app.delete(
    "/ringio/contacts/<contact_id>",
    summary="Delete a contact; the contacts feeds report it as deleted",
    tags=TAGS,
    responses={
        200: http.ok(dict[str, Any], "Deleted: an empty object"),
        **http.errors(404),
        **http.conflict(
            RingioContactConflict, "Stale `If-Match`, or a concurrent change; the body carries the current contact"
        ),
    },
)
def delete_contact(contact_id: ContactId, if_match: http.IfMatch = None) -> dict[str, Any]:
    ringio.delete_contact(current_caller().account, contact_id, if_match)
    return {}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
