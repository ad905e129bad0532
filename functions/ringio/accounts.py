"""Ringio accounts: the caller's own account (any other id is 404)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import ringio_read
from ringbridge.models.ringio_read import AccountOut
from ringbridge.observability import logger

app = http.create_app()


@app.get(
    "/ringio/accounts/<account_id>",
    summary="Read the caller's account",
    tags=["Ringio"],
    responses={200: http.ok(AccountOut), **http.errors(404)},
)
def get_account(account_id: Annotated[str, Path(max_length=64)]) -> AccountOut:
    return ringio_read.get_account(current_caller().account, account_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
