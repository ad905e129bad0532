"""OAuth2 answers as RFC 6749 and RFC 7009 shape them (documentation of the OAuth routes)."""

from typing import Any, Literal

from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseContentModel,
    OpenAPIResponseContentSchema,
)
from pydantic import BaseModel, Field

from ringbridge.models.common import Headers, header


class TokenAnswer(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the access token works (the OAuthAccessTokenSeconds parameter)")
    refresh_token: str = Field(description="Single use: each refresh answers a new one")
    scope: Literal["ro", "rw"]


class OAuthError(BaseModel):
    """RFC 6749 §5.2."""

    error: str = Field(description="invalid_request, invalid_client, invalid_grant, unsupported_grant_type, …")
    error_description: str | None = None


Content = dict[str, OpenAPIResponseContentSchema | OpenAPIResponseContentModel]
HTML_PAGE: Content = {"text/html": {"schema": {"type": "string"}}}
# A redirect's body is empty; the Location header is the answer.
REDIRECT: Content = {"text/plain": {"schema": {"type": "string", "maxLength": 0}}}


# What the token and revocation endpoints' answers carry: never cached (RFC 6749 §5.1); oauthlib's own
# answers (tokens, errors) add Pragma.
NO_STORE: Headers = {"Cache-Control": header("no-store")}
NO_CACHE: Headers = {**NO_STORE, "Pragma": header("no-cache")}
# A client that failed to authenticate is told how to (RFC 6749 §5.2).
INVALID_CLIENT: Headers = {**NO_CACHE, "WWW-Authenticate": header('Basic realm="ringbridge"')}
# The consent page's (ringbridge.oauth.consent.HEADERS): no script, no framing, never cached; the page itself
# sets its CSRF cookie.
PAGE_HEADERS: Headers = {
    "Content-Security-Policy": header("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; …"),
    "X-Frame-Options": header("DENY"),
    "Referrer-Policy": header("no-referrer"),
    "Cache-Control": header("no-store"),
    "X-Content-Type-Options": header("nosniff"),
    "Set-Cookie": header("The consent form's CSRF cookie, with the page that carries the form"),
}
REDIRECT_HEADERS: Headers = {
    "Location": header("The client's redirect URI with the answer in its query"),
    "Cache-Control": header("no-store"),
}


def oauth_error(description: str, headers: Headers = NO_CACHE) -> OpenAPIResponse:
    """An error answer with RFC 6749 §5.2's JSON body (by default oauthlib's, with its headers)."""
    return {"description": description, "content": {"application/json": {"model": OAuthError}}, "headers": headers}


def page(description: str, headers: Headers = PAGE_HEADERS) -> OpenAPIResponse:
    """An answer that is an HTML page: the consent page, or an error page."""
    return {"description": description, "content": HTML_PAGE, "headers": headers}


def redirect(description: str) -> OpenAPIResponse:
    return {"description": description, "content": REDIRECT, "headers": REDIRECT_HEADERS}


# ringbridge.http refuses these before the endpoint runs; ringbridge.oauth.refusals gives them OAuth's shape.
TOO_LARGE = oauth_error("invalid_request: the body is over the size limit", headers={})


def form_body(
    properties: dict[str, str], required: list[str], choices: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` request body for the OpenAPI document; ``choices`` are the
    values a field takes (any other is refused with a 4xx), so the fuzzer reaches past that check."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            name: {"type": "string", "description": text}
                            | ({"enum": (choices or {})[name]} if name in (choices or {}) else {})
                            for name, text in properties.items()
                        },
                        "required": required,
                    }
                }
            },
        }
    }
