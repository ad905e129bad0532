"""Ringio users: the account's CRM users, read-only."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.dal.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ringbridge.logic import ringio_read
from ringbridge.models.ringio_read import UserOut
from ringbridge.observability import logger

app = http.create_app()
TAGS = ["Ringio"]


@app.get(
    "/ringio/users",
    summary="List users: a JSON array of {user}; next page in X-Next-Cursor",
    tags=TAGS,
    responses={200: http.ok(list[UserOut], "A page of users", headers=http.NEXT_PAGE)},
)
def list_users(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1024, description="X-Next-Cursor of the previous page")] = None,
) -> Response[list[UserOut]]:
    found, next_cursor = ringio_read.list_users(current_caller().account, limit, cursor)
    return ringio_read.http_lists(found, next_cursor, "/ringio/users", {"limit": limit})


@app.get(
    "/ringio/users/<user_id>", summary="Read a user", tags=TAGS, responses={200: http.ok(UserOut), **http.errors(404)}
)
def get_user(user_id: Annotated[str, Path(max_length=64)]) -> UserOut:
    return ringio_read.get_user(current_caller().account, user_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
