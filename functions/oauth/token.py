"""OAuth2 token endpoint: authorization code and refresh token grants (public; clients authenticate)."""

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from ringbridge import http
from ringbridge.models.oauth import OAuthError, TokenAnswer, form_body
from ringbridge.oauth import endpoints
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/oauth/token",
    summary="Exchange an authorization code, or a refresh token, for tokens (RFC 6749 §4.1.3, §6)",
    description="Client authentication by HTTP Basic (client id and secret) or `client_id`/`client_secret` "
    "in the body. Codes work once, for 10 minutes; each refresh token works once and answers a new one, "
    "and a refresh token presented again revokes the whole grant.",
    tags=["OAuth2"],
    openapi_extensions=http.PUBLIC
    | form_body(
        {
            "grant_type": "authorization_code or refresh_token",
            "code": "the authorization code (authorization_code)",
            "redirect_uri": "the redirect URI the code was sent to (authorization_code)",
            "code_verifier": "the PKCE verifier, when the request had a code_challenge",
            "refresh_token": "the refresh token (refresh_token)",
            "scope": "ro to narrow a rw grant (refresh_token, optional)",
            "client_id": "the client id, when not sent by HTTP Basic",
            "client_secret": "the client secret, when not sent by HTTP Basic",
        },
        ["grant_type"],
    ),
    responses={
        200: {"description": "New tokens", "content": {http.JSON: {"model": TokenAnswer}}},
        400: {
            "description": "invalid_request, invalid_grant, unsupported_grant_type, …",
            "content": {http.JSON: {"model": OAuthError}},
        },
        401: {"description": "invalid_client", "content": {http.JSON: {"model": OAuthError}}},
        **http.errors(413),
    },
)
def token() -> Response[str]:
    return endpoints.token(app.current_event)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context, authenticate=False)
