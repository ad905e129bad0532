"""Run a template function's real lambda_handler in this process, as Lambda would."""

import base64
import contextvars
import importlib
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ringbridge import clock, routes
from ringbridge_tools.local import template, vendors

DEFAULT = "$default"  # the HTTP API route that takes what no other route serves


class FunctionTimedOut(Exception):
    """The handler ran past the function's Timeout; the message is the one Lambda gives."""

    def __init__(self, request_id: str, timeout_seconds: float) -> None:
        super().__init__(f"RequestId: {request_id} Error: Task timed out after {timeout_seconds:.2f} seconds")
        self.request_id = request_id

    def as_invoke_result(self) -> dict[str, str]:
        """What Lambda's Invoke API answers (with FunctionError: Unhandled) for a timed-out invocation."""
        return {"errorType": "Sandbox.Timedout", "errorMessage": str(self)}


@dataclass
class LambdaContext:
    """The Lambda context object: its time budget starts from the function's Timeout and counts down."""

    function_name: str
    timeout_seconds: float
    memory_limit_in_mb: int
    aws_request_id: str = ""
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    function_version: str = "$LATEST"
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def get_remaining_time_in_millis(self) -> int:
        elapsed = self.clock() - self.started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


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


def context_for(function: template.Function) -> LambdaContext:
    return LambdaContext(
        function_name=function.logical_id,
        timeout_seconds=function.timeout_seconds,
        memory_limit_in_mb=function.memory_mb,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{function.logical_id}",
        log_group_name=f"/aws/lambda/{function.logical_id}",
    )


def invoke(function: template.Function, event: dict[str, Any], context: LambdaContext | None = None) -> Any:
    """The handler's answer; raises FunctionTimedOut when it runs past the context's time, as Lambda stops it.

    The handler runs in a worker thread so that the caller stops waiting at the deadline. A thread
    cannot be killed: one that overruns keeps the function's instance busy until it returns, as a
    new Lambda instance would not share its state (later events of that function wait for it).
    """
    handler = handler_of(function)
    vendors.apply()  # a fake started since the last invocation gets this one's requests
    outcome: dict[str, Any] = {}
    lock = _instance_locks[function.logical_id]
    lock.acquire()
    context = context or context_for(function)  # the clock starts with the handler, not while waiting for the instance

    def run() -> None:
        try:
            outcome["result"] = handler(event, context)
        except BaseException as error:  # re-raised in the caller's thread, as Lambda reports it
            outcome["error"] = error
        finally:
            lock.release()

    caller_context = contextvars.copy_context()
    worker = threading.Thread(target=caller_context.run, args=(run,), name=f"lambda-{function.logical_id}", daemon=True)
    worker.start()
    worker.join(context.get_remaining_time_in_millis() / 1000)
    if worker.is_alive():
        timed_out = FunctionTimedOut(context.aws_request_id, context.timeout_seconds)
        print(f"{clock.now_iso()} {timed_out}", file=sys.stderr, flush=True)  # Lambda's log line
        raise timed_out
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def route(method: str, path: str) -> tuple[template.Function, template.Route] | None:
    """The function serving ``method path`` on the HTTP API; literal routes win over {param} ones, and
    the ``$default`` route takes what none serves, as in API Gateway."""
    candidates = [
        (function, route)
        for function in template.functions().values()
        for route in function.routes
        if route.method in (method.upper(), "ANY") and route.pattern().match(path)
    ]
    candidates.sort(key=lambda pair: pair[1].path.count("{"))
    defaults = [
        (function, route)
        for function in template.functions().values()
        for route in function.routes
        if route.path == DEFAULT
    ]
    return next(iter(candidates + defaults), None)


def http_routes() -> routes.Routes:
    """The template's routes as NoRouteFunction's HTTP_ROUTES table: path -> methods."""
    table: dict[str, set[str]] = {}
    for function in template.functions().values():
        for route in function.routes:
            if route.path != DEFAULT:
                table.setdefault(route.path, set()).add(route.method)
    return {path: sorted(methods) for path, methods in sorted(table.items())}


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
        raw = body
        try:
            body = raw.decode() if is_text else base64.b64encode(raw).decode()
        except UnicodeDecodeError:  # "text" that is not UTF-8 reaches the function base64-encoded
            is_text = False
            body = base64.b64encode(raw).decode()
    now = time.time()
    route_key = "$default" if function_url or route_path == DEFAULT else f"{method.upper()} {route_path or path}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
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
            "routeKey": route_key,
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
