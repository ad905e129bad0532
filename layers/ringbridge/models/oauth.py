"""OAuth2 answers as RFC 6749 and RFC 7009 shape them (documentation of the OAuth routes)."""

from typing import Any, Literal

from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponseContentModel,
    OpenAPIResponseContentSchema,
)
from pydantic import BaseModel, Field


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


def form_body(properties: dict[str, str], required: list[str]) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` request body for the OpenAPI document."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            name: {"type": "string", "description": text} for name, text in properties.items()
                        },
                        "required": required,
                    }
                }
            },
        }
    }
