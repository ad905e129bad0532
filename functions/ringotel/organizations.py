"""Ringotel hook Organizations: every organization of the account, a page at a time."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from ringbridge import http
from ringbridge.auth import current_caller
from ringbridge.dal.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ringbridge.logic import contacts
from ringbridge.models.organizations import OrganizationPage
from ringbridge.observability import logger

app = http.create_app()


@app.get("/ringotel/organizations", summary="List organizations (paginated)", tags=["Ringotel"])
def list_organizations(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")] = None,
) -> OrganizationPage:
    return contacts.list_organizations(current_caller(), limit, cursor)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
