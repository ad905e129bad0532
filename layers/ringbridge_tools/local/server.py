"""The local HTTP API: what API Gateway does in front of the functions, in one werkzeug server.

Each request becomes an HTTP API (payload 2.0) event for the function whose template route
matches, the real lambda_handler runs in this process, and its answer becomes the HTTP response.
The response also says which DynamoDB operations the request issued, in
``X-Ringbridge-DynamoDB-Calls``, so tests and the bench can count round trips and catch Scans.
"""

import base64
import json
import sys
import time
import traceback
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from ringbridge_tools.local import dynamodb_calls, lambdas, openapi

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
CALLS_HEADER = "X-Ringbridge-DynamoDB-Calls"
# Swagger UI's own files, served from the swagger-ui-bundle-v2 package: the page works offline.
SWAGGER_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}


class LocalApi:
    """The WSGI application: /openapi.json, /swagger, and every HttpApi route of template.yaml."""

    def __init__(self) -> None:
        self._openapi: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        try:
            response = self.dispatch(request)
        except lambdas.FunctionTimedOut as timed_out:  # Lambda stops the function; API Gateway answers 500
            response = error(500, "internal", f"the function did not answer in time ({timed_out})")
        except Exception:
            # A function failing (Lambda logs the traceback, API Gateway answers 500), or the OpenAPI document.
            traceback.print_exc()
            response = error(500, "internal", "the request failed; see the server's log")
        elapsed_ms = (time.perf_counter() - started) * 1000
        calls_made = response.headers.get(CALLS_HEADER) or "-"
        query = f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
        print(
            f"{request.method} {request.path}{query} -> {response.status_code}"
            f" ({elapsed_ms:.0f} ms; DynamoDB: {calls_made})",
            file=sys.stderr,
            flush=True,
        )
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/openapi.json":
            return Response(self.openapi_json(), content_type="application/json")
        if request.method == "GET" and request.path in ("/swagger", "/swagger/"):
            if request.args.get("format") == "json":  # Swagger UI's link to the document under its title
                return Response(self.openapi_json(), content_type="application/json")
            return Response(self.swagger_html(), content_type="text/html; charset=utf-8")
        if request.method == "GET" and request.path.removeprefix("/swagger/") in SWAGGER_ASSETS:
            return swagger_asset(request.path.removeprefix("/swagger/"))
        found = lambdas.route(request.method, request.path)
        if found is None:  # a template without a $default route
            return error(404, "not_found", f"no route for {request.method} {request.path}")
        function, route = found
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return too_large()
        body = request.stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return too_large()
        event = lambdas.http_event(
            request.method,
            request.path,
            raw_query=request.query_string.decode("latin-1"),
            headers=_headers(request),
            body=body or None,
            route_path=route.path,
            source_ip=request.remote_addr or "127.0.0.1",
        )
        event["requestContext"]["domainName"] = request.host
        log = dynamodb_calls.start()
        response = to_http(lambdas.invoke(function, event))
        response.headers[CALLS_HEADER] = ",".join(log)
        return response

    def openapi_json(self) -> str:
        if self._openapi is None:
            self._openapi = json.dumps(openapi.document())
        return self._openapi

    def swagger_html(self) -> str:
        from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

        return generate_swagger_html(
            self.openapi_json(),
            "/swagger/swagger-ui-bundle.js",
            "/swagger/swagger-ui.css",
            "/swagger",
            None,
            persist_authorization=True,
        )


def swagger_asset(name: str) -> Response:
    from swagger_ui_bundle import swagger_ui_path

    data = (swagger_ui_path / name).read_bytes()
    return Response(data, content_type=SWAGGER_ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})


def _headers(request: Request) -> dict[str, str]:
    """Lower-cased names; a repeated header's values joined by commas, as API Gateway does."""
    merged: dict[str, str] = {}
    for name, value in request.headers.items():
        name = name.lower()
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def to_http(result: Any) -> Response:
    """The HTTP response API Gateway makes of a payload 2.0 Lambda answer."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # A function may answer any JSON value: API Gateway sends it as a 200 JSON body.
        return Response(json.dumps(result), status=200, content_type="application/json")
    headers = Headers()
    for name, value in (result.get("headers") or {}).items():
        headers.add(name, str(value))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            headers.add(name, str(value))
    for cookie in result.get("cookies") or []:
        headers.add("Set-Cookie", cookie)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    # Without a Content-Type of its own, the answer is JSON (werkzeug would say text/plain).
    default_type = None if "Content-Type" in headers else "application/json"
    return Response(data, status=int(result["statusCode"]), headers=headers, content_type=default_type)


def error(status: int, code: str, message: str) -> Response:
    body = {"error": {"code": code, "message": message, "field": None}}
    return Response(json.dumps(body), status=status, content_type="application/json")


def too_large() -> Response:
    return error(413, "payload_too_large", f"the body is larger than API Gateway's {MAX_BODY_BYTES} bytes")
