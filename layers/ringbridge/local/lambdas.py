"""Run a template function's real lambda_handler in this process, as Lambda would."""

import base64
import importlib
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ringbridge.local import template


@dataclass
class LambdaContext:
    """The attributes Powertools reads from the Lambda context object."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def module_of(function: template.Function) -> Any:
    code = str(function.code_uri)
    if code not in sys.path:
        sys.path.insert(0, code)
    return importlib.import_module(function.module)


def handler_of(function: template.Function) -> Any:
    return getattr(module_of(function), function.handler.rsplit(".", 1)[1])


# One event at a time per function, as in one Lambda instance: a resolver keeps the current
# event on its module-level app, so two threads must not run the same function at once.
_instance_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


def invoke(function: template.Function, event: dict[str, Any]) -> dict[str, Any]:
    context = LambdaContext(
        function_name=function.logical_id,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{function.logical_id}",
    )
    handler = handler_of(function)
    with _instance_locks[function.logical_id]:
        return handler(event, context)


def route(method: str, path: str) -> tuple[template.Function, template.Route] | None:
    """The function serving ``method path`` on the HTTP API; literal routes win over {param} ones."""
    candidates = [
        (function, route)
        for function in template.functions().values()
        for route in function.routes
        if route.method in (method.upper(), "ANY") and route.pattern().match(path)
    ]
    candidates.sort(key=lambda pair: pair[1].path.count("{"))
    return candidates[0] if candidates else None


def methods_of_path(path: str) -> list[str]:
    """The methods of the most specific route path matching ``path`` (the ``Allow`` of a 405).

    ``/ringotel/contacts/find`` allows GET: that ``{contact_id}`` would match it too does not count.
    """
    matching = [
        route for function in template.functions().values() for route in function.routes if route.pattern().match(path)
    ]
    if not matching:
        return []
    fewest = min(route.path.count("{") for route in matching)
    return sorted({route.method for route in matching if route.path.count("{") == fewest})


def http_event(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    route_path: str | None = None,
    function_url: bool = False,
    source_ip: str = "127.0.0.1",
    raw_query: str | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event; ``function_url`` gives a Lambda function URL's shape.

    ``raw_query`` is a query string as received (repeated names are joined with commas in
    queryStringParameters, as API Gateway does); otherwise ``query`` is encoded.
    """
    if raw_query is None:
        raw_query = urlencode(query or {})
    else:
        query = {}
        for name, value in parse_qsl(raw_query, keep_blank_values=True):
            query[name] = f"{query[name]},{value}" if name in query else value
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    cookies = lowered.pop("cookie", None)
    content_type = lowered.get("content-type", "")
    is_text = body is None or isinstance(body, str) or content_type.startswith(("application/json", "text/"))
    if isinstance(body, bytes):
        try:
            body = body.decode() if is_text else base64.b64encode(body).decode()
        except UnicodeDecodeError:  # "text" that is not UTF-8 reaches the function base64-encoded
            is_text = False
            body = base64.b64encode(body).decode()
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default" if function_url else f"{method.upper()} {route_path or path}",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": lowered,
        "requestContext": {
            "accountId": "anonymous" if function_url else "000000000000",
            "apiId": "local",
            "domainName": "local.lambda-url.us-east-1.on.aws" if function_url else "localhost",
            "domainPrefix": "local",
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default" if function_url else f"{method.upper()} {route_path or path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": not is_text,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if cookies:
        event["cookies"] = [cookie.strip() for cookie in cookies.split(";") if cookie.strip()]
    if body is not None:
        event["body"] = body
    return event
