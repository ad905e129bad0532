"""What every HTTP function shares: the resolver, error answers, auth and body limits.

Errors answer ``{"error": {"code", "message", "field", ...}}``. Domain exceptions are mapped to
status codes here, once. Auth runs before routing and validation, so an unauthenticated
request learns nothing about the route or the body it sent.
"""

import base64
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from ringbridge import auth, coldstart
from ringbridge.errors import PayloadTooLarge, RingbridgeError
from ringbridge.logic import versions
from ringbridge.observability import logger

MAX_JSON_BODY_BYTES = 1024 * 1024
JSON = "application/json"


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RingbridgeError)
    def _domain_error(error: RingbridgeError) -> Response:
        return Response(status_code=error.status, content_type=JSON, body=json.dumps(error_body(error)))

    @app.exception_handler(RequestValidationError)
    def _validation_error(error: RequestValidationError) -> Response:
        status, body = validation_error_body(error.errors())
        return Response(status_code=status, content_type=JSON, body=json.dumps(body))

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return Response(
            status_code=404,
            content_type=JSON,
            body=json.dumps({"error": {"code": "not_found", "message": "no such route", "field": None}}),
        )

    return app


def error_body(error: RingbridgeError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": error.code, "message": error.message, "field": error.field}}
    if isinstance(error.details, dict):
        body.update(error.details)
    return body


def validation_error_body(errors: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """400 for a body that is not JSON, 422 for JSON that does not fit; each problem names its field."""
    problems = [
        {
            "field": ".".join(str(part) for part in problem["loc"][1:]) or problem["loc"][0],
            "problem": problem["msg"],
            "type": problem["type"],
        }
        for problem in errors
    ]
    malformed = any(problem["type"] == "json_invalid" for problem in problems)
    first = problems[0] if problems else {"field": None, "problem": "invalid request"}
    code, message = ("malformed_json", "the body is not valid JSON") if malformed else ("invalid", first["problem"])
    return (400 if malformed else 422), {
        "error": {
            "code": code,
            "message": f"{first['field']}: {message}",
            "field": first["field"],
            "problems": problems,
        }
    }


def versioned(body: Any, version: int, status: int = 200) -> Response:
    """A JSON answer carrying the ETag of the item's version (what ``If-Match`` sends back)."""
    return Response(status_code=status, content_type=JSON, body=body, headers={"ETag": versions.etag(version)})


def gateway_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """An HTTP API / function URL response built without the resolver (failures before routing)."""
    return {"statusCode": status, "headers": {"Content-Type": JSON}, "body": json.dumps(body), "isBase64Encoded": False}


def check_json_body_size(event: dict[str, Any], limit: int = MAX_JSON_BODY_BYTES) -> None:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):  # decoded size, exactly: every 4 characters are 3 bytes, less the padding
        size = (len(body) - (2 if body.endswith("==") else 1 if body.endswith("=") else 0)) * 3 // 4
    else:
        size = len(body.encode())
    if size > limit:
        raise PayloadTooLarge(f"the body is {size} bytes; the limit is {limit}", field="body")


def decoded_body(event: dict[str, Any]) -> bytes:
    """The request body as bytes (API Gateway base64-encodes binary bodies)."""
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


def handle(
    app: APIGatewayHttpResolver,
    event: dict[str, Any],
    context: Any,
    *,
    max_body_bytes: int = MAX_JSON_BODY_BYTES,
    authenticate: bool = True,
) -> dict[str, Any]:
    """Authenticate, limit the body, then route. Writes need an ``rw`` token.

    ``authenticate=False`` is for routes that are public or authenticate from the body themselves.
    """
    coldstart.resume_gc()
    try:
        check_json_body_size(event, max_body_bytes)
        if authenticate:
            auth.authenticate(event.get("headers") or {}, _method(event))
    except RingbridgeError as error:
        logger.info("request refused", extra={"status": error.status, "code": error.code})
        return gateway_response(error.status, error_body(error))
    return app.resolve(event, context)


def _method(event: dict[str, Any]) -> str:
    return (event.get("requestContext") or {}).get("http", {}).get("method", "GET")
