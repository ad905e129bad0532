"""What every HTTP function shares: the resolver, error answers, auth and body limits.

Errors answer ``{"error": {"code", "message", "field", ...}}`` (``models.errors.Error``). Domain
exceptions are mapped to status codes here, once. Auth runs before routing and validation, so an
unauthenticated request learns nothing about the route or the body it sent.

``handle`` answers by itself, before Powertools sees the request: 413 (body over the limit),
405 with ``Allow`` (a method no route of the path has), 403 (auth), and for a route that takes a
JSON body 415 (not JSON) and 400 (not UTF-8, not JSON, nested deeper than ``MAX_JSON_DEPTH``,
numbers over Python's digit limit). Powertools then validates: 422 names the field.

Declaring a route's answers for the OpenAPI document: ``responses={200: http.ok(Model), **http.errors(404)}``.
The statuses ``handle`` and validation give on every route (400/403/413/415/422/429, as they apply)
are added to every operation by the document builder (``local/openapi.py``); ``http.errors`` is for
the ones a route's own logic gives (404, 409, 410, a 400 of its own...).
"""

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Form, Header, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from ringbridge import auth, coldstart, observability, routes
from ringbridge.errors import NotFound, PayloadTooLarge, RingbridgeError, UnsupportedMediaType, field_of
from ringbridge.logic import etags
from ringbridge.models.common import CALL_ID_PATTERN, Headers, header
from ringbridge.models.errors import Error
from ringbridge.oauth import refusals as oauth_refusals
from ringbridge.observability import logger

MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32  # far more than any of our bodies needs; far less than the parsers' recursion limits
JSON = "application/json"
_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# An activity named in a path: its id, or Ringotel's call id (the same rule as call_id in a body).
ActivityRef = Annotated[
    str,
    Path(min_length=1, max_length=128, pattern=CALL_ID_PATTERN, description="The activity id or Ringotel's call id"),
]

# ``openapi_extensions=`` of a route that needs no token, or whose token may come in the body instead.
PUBLIC: dict[str, Any] = {"security": []}
TOKEN_IN_BODY: dict[str, Any] = {"security": [{"Bearer": []}, {"Basic": []}, {}]}
# The If-Match header of a versioned item: the ETag a read answered ("3", or W/"3").
IfMatch = Annotated[
    str | None,
    Header(
        alias="if-match",
        max_length=64,
        pattern=r'^(W/)?"?[0-9]{1,18}"?$',
        description='The ETag (version) last seen, like "3"',
    ),
]

STATUS_TEXT = {
    400: "Bad request: the body is not UTF-8 JSON, or a parameter is unusable",
    403: "Missing, invalid or read-only API token",
    404: "No such item in the caller's account",
    409: "Stale version or a concurrent change; the body carries the current item",
    410: "Gone",
    413: "The body is over the size limit",
    415: "Unsupported Content-Type",
    422: "A field is invalid; `error.field` names it",
    429: "Over the token's rate limit; retry after `Retry-After` seconds",
    502: "A vendor we call failed or refused; nothing in the request was wrong",
}


# What ``versioned`` sends with a versioned item.
ETAG: Headers = {"ETag": header('The item\'s version, like "3": send it back as If-Match to update or delete it')}
# What a page of a Ringio list (``logic.ringio_read.http_lists``) sends when another page follows; the last
# page has neither.
NEXT_PAGE: Headers = {
    "X-Next-Cursor": header("The next page's `cursor`; absent on the last page"),
    "Link": header('The next page\'s URL, `<...>; rel="next"` (RFC 8288); absent on the last page'),
}


def ok(
    model: Any, description: str = "OK", content_type: str = JSON, headers: Headers | None = None
) -> OpenAPIResponse:
    """A success response for ``responses=``: its description, body model and the headers it is sent with."""
    response: OpenAPIResponse = {"description": description, "content": {content_type: {"model": model}}}
    if headers:
        response["headers"] = headers
    return response


def conflict(model: Any, description: str) -> dict[int, OpenAPIResponse]:
    """The 409 of a versioned item's write, for ``responses=``: a ``models.errors.ConflictBody`` with the item."""
    return {409: {"description": description, "content": {JSON: {"model": model}}}}


def errors(*statuses: int, **descriptions: str) -> dict[int, OpenAPIResponse]:
    """Error responses for ``responses=``, each with the shared ``Error`` body.

    ``errors(404, 409, s409="stale version")`` overrides a description with ``s<status>=``.
    """
    return {
        status: {
            "description": descriptions.get(f"s{status}", STATUS_TEXT[status]),
            "content": {JSON: {"model": Error}},
        }
        for status in statuses
    }


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RingbridgeError)
    def _domain_error(error: RingbridgeError) -> Response:
        return Response(
            status_code=error.status, content_type=JSON, body=json.dumps(error_body(error)), headers=error.headers()
        )

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


def validation_error_body(errors: Sequence[Any]) -> tuple[int, dict[str, Any]]:
    """400 for a body that is not JSON, 422 for JSON that does not fit; each problem names its field."""
    problems = [
        {
            "field": field_of(problem["loc"][1:]) or problem["loc"][0],
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
    return Response(status_code=status, content_type=JSON, body=body, headers={"ETag": etags.etag(version)})


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


class MethodNotAllowed(RingbridgeError):
    status = 405
    code = "method_not_allowed"

    def __init__(self, method: str, allowed: Sequence[str]) -> None:
        super().__init__(f"{method} is not allowed here; allowed: {', '.join(allowed)}")
        self.allowed = allowed

    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allowed)}


class MalformedJson(RingbridgeError):
    code = "malformed_json"


def handle(
    app: APIGatewayHttpResolver,
    event: dict[str, Any],
    context: Any,
    *,
    max_body_bytes: int = MAX_JSON_BODY_BYTES,
    authenticate: bool = True,
) -> dict[str, Any]:
    """Limit the body, check the method, authenticate, check a JSON body, then route. Writes need ``rw``.

    ``authenticate=False`` is for routes that are public or authenticate from the body themselves.
    A route whose handler takes a pydantic body gets the JSON checks; others read the body themselves.
    """
    coldstart.resume_gc()
    observability.start_request(event)
    method = _method(event)
    try:
        check_json_body_size(event, max_body_bytes)
        routes = _routes_of_path(app, event.get("rawPath") or "/")
        if routes and method not in routes:
            raise MethodNotAllowed(method, sorted(routes))
        if authenticate:
            auth.authenticate(event.get("headers") or {}, method)
        if routes.get(method) and method in _BODY_METHODS:
            check_json_body(event)
    except RingbridgeError as error:
        logger.info("request refused", extra={"status": error.status, "code": error.code})
        refused = gateway_response(error.status, error_body(error))
        refused["headers"].update(error.headers())
        observability.finish_request(refused)
        return refused
    response = None
    try:
        response = app.resolve(event, context)
        return response
    finally:
        observability.finish_request(response)


def no_route(event: dict[str, Any]) -> dict[str, Any]:
    """The answer of the HTTP API's $default route: 405 with ``Allow`` for a known path, else 404."""
    method, path = _method(event), event.get("rawPath") or "/"
    allowed = routes.allowed_methods(routes.deployed(), path)
    error = MethodNotAllowed(method, allowed) if allowed else NotFound(f"no route for {method} {path}")
    answer = gateway_response(error.status, error_body(error))
    answer["headers"].update(error.headers())
    if path.startswith(oauth_refusals.PATH_PREFIX):  # an OAuth client reads RFC 6749's error shape
        return oauth_refusals.in_oauth_shape(answer)
    return answer


def _method(event: dict[str, Any]) -> str:
    return str((event.get("requestContext") or {}).get("http", {}).get("method", "GET")).upper()


def _routes_of_path(app: APIGatewayHttpResolver, path: str) -> dict[str, bool]:
    """The methods this app serves at ``path``, each with whether its handler takes a JSON body.

    A handler with ``Form``/``File`` parameters takes a form, not JSON: its body is left to Powertools.
    """
    # Powertools keeps its routes in these two lists (the version is pinned in pyproject.toml).
    routes = app._static_routes + app._dynamic_routes
    return {route.method: _takes_json(route.dependant.body_params) for route in routes if route.rule.match(path)}


def _takes_json(body_params: list[Any]) -> bool:
    return bool(body_params) and not any(isinstance(param.field_info, Form) for param in body_params)


def check_json_body(event: dict[str, Any]) -> None:
    """A JSON body Powertools can parse and validate without failing: else 415 or 400 naming ``body``.

    Done here, once, because the parsers fail in ways that are not the client's problem to see:
    RecursionError on deep nesting, ValueError past Python's integer digit limit, UnicodeDecodeError.
    """
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media = (headers.get("content-type") or JSON).split(";", 1)[0].strip().lower()
    if not _JSON_TYPE.match(media):
        raise UnsupportedMediaType(f"the body must be {JSON}, not {media!r}", field="Content-Type")
    try:
        text = decoded_body(event).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise MalformedJson("the body is not UTF-8 text", field="body") from None
    if not text.strip():
        return  # no body: validation answers 422 "Field required"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; so is the int digit limit
        raise MalformedJson("the body is not valid JSON", field="body") from None
    _check_depth_and_text(value)


def _check_depth_and_text(value: Any) -> None:
    """Iteratively (no recursion to exhaust): nesting within MAX_JSON_DEPTH, strings encodable as UTF-8."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list) and depth > MAX_JSON_DEPTH:
            raise MalformedJson(f"the body is nested deeper than {MAX_JSON_DEPTH} levels", field="body")
        if isinstance(item, dict):
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate escape such as "\ud800"
                raise MalformedJson("the body holds a string that is not valid Unicode", field="body") from None
