"""Ringotel hook UpdateContact: a partial update with optimistic concurrency."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import Field

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import contacts
from ringbridge.models.contact_input import RingotelContactUpdate
from ringbridge.models.contacts import Contact
from ringbridge.models.errors import ConflictBody
from ringbridge.observability import logger

app = http.create_app()


class ContactConflict(ConflictBody):
    contact: Contact | None = Field(default=None, description="The current contact, when the version sent was stale")


@app.put(
    "/ringotel/contacts/<contact_id>",
    summary="Update a contact (only the fields sent)",
    tags=["Ringotel"],
    responses={
        200: http.ok(Contact, "Updated", headers=http.ETAG),
        **http.errors(404),
        **http.conflict(
            ContactConflict,
            "Stale `version` or `If-Match` (the body carries the current contact), or a concurrent change",
        ),
    },
)
def update_contact(
    contact_id: Annotated[str, Path(max_length=64)],
    changes: RingotelContactUpdate,
    if_match: http.IfMatch = None,
) -> Response[Contact]:
    updated = contacts.update_contact(current_caller().account, contact_id, changes, if_match)
    return http.versioned(updated, updated.version)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
