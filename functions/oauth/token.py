"""OAuth2 token endpoint: authorization code and refresh token grants (public; clients authenticate)."""

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from ringbridge import http
from ringbridge.models.oauth import INVALID_CLIENT, NO_CACHE, NO_STORE, TOO_LARGE, TokenAnswer, form_body, oauth_error
from ringbridge.oauth import endpoints, refusals
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/oauth/token",
    summary="Exchange an authorization code, or a refresh token, for tokens (RFC 6749 §4.1.3, §6)",
    description="Client authentication by HTTP Basic (client id and secret) or `client_id`/`client_secret` "
    "in the body, never both. Codes work once, for 10 minutes; each refresh token works once and answers a "
    "new one, and a code or refresh token presented again revokes the whole grant. A code whose authorization "
    "request had a `code_challenge` needs its `code_verifier`; one that had none refuses any `code_verifier`. "
    "The body must be `application/x-www-form-urlencoded` UTF-8.",
    tags=["OAuth2"],
    openapi_extensions=http.PUBLIC
    | form_body(
        {
            "grant_type": "authorization_code or refresh_token",
            "code": "the authorization code (authorization_code)",
            "redirect_uri": "the redirect URI the code was sent to (authorization_code; required when the "
            "authorization request named one)",
            "code_verifier": "the PKCE verifier (43 to 128 characters of A-Z a-z 0-9 - . _ ~), when and only when "
            "the authorization request had a code_challenge",
            "refresh_token": "the refresh token (refresh_token)",
            "scope": "ro to narrow a rw grant, or the grant's own scope (refresh_token, optional; one scope)",
            "client_id": "the client id, when not sent by HTTP Basic",
            "client_secret": "the client secret, when not sent by HTTP Basic",
        },
        ["grant_type"],
        {"grant_type": ["authorization_code", "refresh_token"]},
    ),
    responses={
        200: {"description": "New tokens", "content": {http.JSON: {"model": TokenAnswer}}, "headers": NO_CACHE},
        400: oauth_error(
            "invalid_request (unreadable body, missing or repeated parameter, two client authentications), "
            "invalid_grant, invalid_scope, unsupported_grant_type"
        ),
        401: oauth_error("invalid_client", INVALID_CLIENT),
        413: TOO_LARGE,
        503: {
            **oauth_error(
                "temporarily_unavailable: the token store failed (throttled, timed out); nothing was spent or "
                "issued, send the same request again after Retry-After seconds"
            ),
            "headers": {
                **NO_STORE,
                "Retry-After": {"description": "Seconds to wait (1)", "schema": {"type": "integer"}},
            },
        },
    },
)
def token() -> Response[str]:
    return endpoints.token(app.current_event)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return refusals.in_oauth_shape(http.handle(app, event, context, authenticate=False))
