"""Ringio rings: the call activities of the Ringotel call workflow, read-only."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.dal.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ringbridge.logic import ringio_read
from ringbridge.models.ringio_read import RingOut
from ringbridge.observability import logger

app = http.create_app()
TAGS = ["Ringio"]


@app.get(
    "/ringio/rings",
    summary="List rings (calls), oldest first: a JSON array of {ring}; next page in X-Next-Cursor",
    tags=TAGS,
    responses={200: http.ok(list[RingOut], "A page of rings", headers=http.NEXT_PAGE)},
)
def list_rings(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1024, description="X-Next-Cursor of the previous page")] = None,
) -> Response[list[RingOut]]:
    found, next_cursor = ringio_read.list_rings(current_caller().account, limit, cursor)
    return ringio_read.http_lists(found, next_cursor, "/ringio/rings", {"limit": limit})


@app.get(
    "/ringio/rings/<ring_id>",
    summary="Read a ring (a call activity)",
    tags=TAGS,
    responses={200: http.ok(RingOut), **http.errors(404)},
)
def get_ring(ring_id: Annotated[str, Path(max_length=64)]) -> RingOut:
    return ringio_read.get_ring(current_caller().account, ring_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
