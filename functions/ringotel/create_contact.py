"""Ringotel hook CreateContact; an Idempotency-Key header makes retries safe."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import contacts
from ringbridge.models.contact_input import RingotelContactCreate
from ringbridge.models.contacts import Contact
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/ringotel/contacts",
    summary="Create a contact",
    tags=["Ringotel"],
    responses={201: http.ok(Contact, "Created", headers=http.ETAG), **http.errors(409)},
)
def create_contact(
    contact: RingotelContactCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="idempotency-key", max_length=128, description="A retry with the same key answers the first result"
        ),
    ] = None,
) -> Response[Contact]:
    created = contacts.create_contact(current_caller().account, contact, idempotency_key)
    return http.versioned(created, created.version, status=201)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
