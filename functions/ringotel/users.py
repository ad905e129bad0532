"""Ringotel hook Users: the CRM users Ringotel maps its own users to, with first and last names."""

from typing import Any

from ringbridge import http
from ringbridge.caller import current_caller
from ringbridge.logic import accounts
from ringbridge.models.accounts import RingotelUser, RingotelUserList
from ringbridge.observability import logger

app = http.create_app()


@app.get("/ringotel/users", summary="List the account's CRM users", tags=["Ringotel"])
def list_users() -> RingotelUserList:
    return RingotelUserList(
        users=[RingotelUser(**user.model_dump()) for user in accounts.list_users(current_caller().account)]
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
