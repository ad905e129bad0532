"""Ringotel hook FindContact: who is calling? One strongly consistent Query by number."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from ringbridge import http, observability
from ringbridge.caller import current_caller
from ringbridge.logic import contacts
from ringbridge.models.contacts import ContactMatches
from ringbridge.observability import logger

app = http.create_app()


@app.get(
    "/ringotel/contacts/find",
    summary="Find contacts by phone number, most recently updated first",
    tags=["Ringotel"],
)
def find_contact(
    phone: Annotated[str, Query(min_length=1, max_length=64, description="Any format: +380…, 380…, 0…, 00380…")],
) -> ContactMatches:
    matches = contacts.find_contacts_by_phone(current_caller().account, phone)
    observability.count("FindContactMatched" if matches else "FindContactUnmatched")
    return ContactMatches(contacts=matches)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
