"""OAuth2 authorization endpoint: the consent page and the administrator's decision (public)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from ringbridge import http
from ringbridge.models.oauth import TOO_LARGE, form_body, page, redirect
from ringbridge.oauth import endpoints, refusals
from ringbridge.observability import logger

app = http.create_app()

Text = Annotated[str | None, Query(max_length=2048)]


@app.get(
    "/oauth/authorize",
    summary="The consent page of an authorization request (RFC 6749 §4.1.1)",
    tags=["OAuth2"],
    openapi_extensions=http.PUBLIC,
    responses={
        200: page("The consent page"),
        302: redirect("Back to the client's redirect URI with an error (bad scope, PKCE method, …)"),
        400: page("Unknown client or unregistered redirect URI: an error page, never a redirect"),
    },
)
def authorize_page(
    response_type: Text = None,
    client_id: Text = None,
    redirect_uri: Text = None,
    state: Text = None,
    scope: Annotated[str | None, Query(description="ro or rw (default ro)")] = None,
    code_challenge: Text = None,
    code_challenge_method: Annotated[str | None, Query(description="S256")] = None,
) -> Response[str]:
    return endpoints.authorize_page(app.current_event)


@app.post(
    "/oauth/authorize",
    summary="The administrator approves (signing in with an rw API token) or denies",
    tags=["OAuth2"],
    openapi_extensions=http.PUBLIC
    | form_body(
        {
            "request": "the authorization request's query string, as the page received it",
            "csrf_token": "the page's CSRF token: its cookie must come along; made for this request, "
            "valid 10 minutes, once",
            "api_token": "an rw API token of the client's account (to approve)",
            "decision": "approve or deny",
        },
        ["request", "csrf_token", "decision"],
        {"decision": ["approve", "deny"]},
    ),
    responses={
        302: redirect("To the client's redirect URI with code and state, or error=access_denied"),
        400: page("Unknown client, unregistered redirect URI or no decision: an error page"),
        403: page("CSRF check failed (an error page), or the sign-in token was refused (the page again)"),
        429: page(
            "Too many failed sign-ins for this client or from this address: the page again, "
            "with the time to wait; Retry-After in seconds"
        ),
        413: TOO_LARGE,
    },
)
def authorize_decision() -> Response[str]:
    return endpoints.authorize_decision(app.current_event)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return refusals.in_oauth_shape(http.handle(app, event, context, authenticate=False))
