"""OAuth2 token revocation (RFC 7009; public, clients authenticate)."""

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from ringbridge import http
from ringbridge.models.oauth import INVALID_CLIENT, NO_STORE, TOO_LARGE, form_body, oauth_error
from ringbridge.oauth import endpoints, refusals
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/oauth/revoke",
    summary="Revoke an access or refresh token: the whole grant ends (RFC 7009)",
    description="An unknown or already revoked token also answers 200, as RFC 7009 asks; a token issued "
    "to another client is refused (400 unauthorized_client) and keeps working.",
    tags=["OAuth2"],
    openapi_extensions=http.PUBLIC
    | form_body(
        {
            "token": "the access or refresh token",
            "token_type_hint": "access_token or refresh_token (optional)",
            "client_id": "the client id, when not sent by HTTP Basic",
            "client_secret": "the client secret, when not sent by HTTP Basic",
        },
        ["token"],
    ),
    responses={
        200: {
            "description": "Revoked (or nothing to revoke)",
            "content": {http.JSON: {"schema": {"type": "object"}}},
            "headers": NO_STORE,
        },
        400: oauth_error(
            "invalid_request (no token, unreadable body, two client authentications), unsupported_token_type "
            "(an unknown token_type_hint), unauthorized_client (a token issued to another client)"
        ),
        401: oauth_error("invalid_client", INVALID_CLIENT),
        413: TOO_LARGE,
    },
)
def revoke() -> Response[str]:
    return endpoints.revoke(app.current_event)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return refusals.in_oauth_shape(http.handle(app, event, context, authenticate=False))
