"""The Ringotel integration document (public: it holds no secret) and the logo it points at."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from ringbridge import http
from ringbridge.logic import ringotel_document
from ringbridge.observability import logger

app = http.create_app()


@app.get(
    "/ringotel/integration.json",
    summary="The JSON document to paste into Ringotel's Admin Portal (no authentication)",
    tags=["Ringotel"],
    openapi_extensions=http.PUBLIC,
)
def integration_document(
    auth: Annotated[
        Literal["bearer", "basic", "oauth2"],
        Query(description="How Ringotel signs in: an API key as Bearer token or Basic user, or OAuth2"),
    ] = "bearer",
) -> dict[str, Any]:
    return ringotel_document.integration_document(ringotel_document.base_url_of(app.current_event.headers), auth)


@app.get(
    "/ringotel/logo.svg",
    summary="The logo the integration document names",
    tags=["Ringotel"],
    responses={
        200: http.ok(
            str,
            "The SVG image",
            content_type="image/svg+xml",
            headers={"Cache-Control": http.header("public, max-age=86400")},
        )
    },
    openapi_extensions=http.PUBLIC,
)
def logo() -> Response[str]:
    return Response(
        status_code=200,
        content_type="image/svg+xml",
        body=ringotel_document.LOGO_SVG,
        headers={"Cache-Control": "public, max-age=86400"},
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context, authenticate=False)
