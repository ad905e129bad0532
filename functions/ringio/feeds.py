"""Ringio change feeds: the ids created, updated and deleted since a moment, never missing one.

Each answer's ``timestamp`` is the next ``since``; while ``next`` is not null, more changes wait:
call again with the same ``since`` and ``cursor=next``.
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import feeds
from ringbridge.models.ringio_read import Feed
from ringbridge.observability import logger

app = http.create_app()
TAGS = ["Ringio feeds"]
AccountId = Annotated[str, Path(max_length=64)]
Since = Annotated[str, Query(max_length=64, description=f"{feeds.SINCE_FORMAT}; not in the future")]
Limit = Annotated[int, Query(ge=1, le=feeds.MAX_PAGE, description="Changes per page")]
Cursor = Annotated[str | None, Query(max_length=2048, description="`next` of the previous page")]
RESPONSES: dict[int, OpenAPIResponse] = {
    200: http.ok(Feed),
    **http.errors(
        400,
        404,
        410,
        s400="`since` not ISO 8601, or in the future",
        s410="`since` older than the retention of deletions: read everything again",
    ),
}


@app.get("/ringio/feeds/accounts/<account_id>/contacts", summary="Contacts changed", tags=TAGS, responses=RESPONSES)
def contacts_feed(
    account_id: AccountId, since: Since, limit: Limit = feeds.DEFAULT_PAGE, cursor: Cursor = None
) -> Feed:
    return feeds.account_feed(current_caller().account, account_id, "CONTACT", since, limit, cursor)


@app.get("/ringio/feeds/accounts/<account_id>/notes", summary="Notes changed", tags=TAGS, responses=RESPONSES)
def notes_feed(account_id: AccountId, since: Since, limit: Limit = feeds.DEFAULT_PAGE, cursor: Cursor = None) -> Feed:
    return feeds.account_feed(current_caller().account, account_id, "NOTE", since, limit, cursor)


@app.get("/ringio/feeds/accounts/<account_id>/rings", summary="Rings (calls) changed", tags=TAGS, responses=RESPONSES)
def rings_feed(account_id: AccountId, since: Since, limit: Limit = feeds.DEFAULT_PAGE, cursor: Cursor = None) -> Feed:
    return feeds.account_feed(current_caller().account, account_id, "ACTIVITY", since, limit, cursor)


@app.get("/ringio/feeds/accounts/<account_id>/users", summary="Users changed", tags=TAGS, responses=RESPONSES)
def users_feed(account_id: AccountId, since: Since, limit: Limit = feeds.DEFAULT_PAGE, cursor: Cursor = None) -> Feed:
    return feeds.account_feed(current_caller().account, account_id, "USER", since, limit, cursor)


@app.get(
    "/ringio/feeds/users/<user_id>/contacts",
    summary="Changes of the contacts a user owns (a contact given to another user is reported deleted)",
    tags=TAGS,
    responses=RESPONSES,
)
def user_contacts_feed(
    user_id: Annotated[str, Path(max_length=64)],
    since: Since,
    limit: Limit = feeds.DEFAULT_PAGE,
    cursor: Cursor = None,
) -> Feed:
    return feeds.user_contacts_feed(current_caller().account, user_id, since, limit, cursor)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
