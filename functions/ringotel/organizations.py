"""Ringotel hook Organizations: every organization of the account in one answer, or a page with `limit`."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from ringbridge import http, http_lists
from ringbridge.caller import current_caller
from ringbridge.dal.pagination import MAX_LIMIT
from ringbridge.logic import contacts
from ringbridge.models.organizations import OrganizationPage
from ringbridge.observability import logger

app = http.create_app()


@app.get(
    "/ringotel/organizations",
    summary="List organizations: all of them, or a page",
    description=http_lists.description("organization"),
    tags=["Ringotel"],
    responses={200: http.ok(OrganizationPage, "Organizations", headers=http_lists.HEADERS)},
)
def list_organizations(
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Page size; none: the whole list")] = None,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous answer")] = None,
) -> Response[str]:
    scope = current_caller().account
    if limit is None:
        return http_lists.answer(app, "organizations", contacts.iter_organizations(scope, cursor))
    page = contacts.list_organizations(scope, limit, cursor)
    return Response(status_code=200, content_type=http.JSON, body=page.model_dump_json())


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
