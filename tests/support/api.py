"""Calling the function that serves a route, in this process, with the event API Gateway would send.

``call`` is what a client sees (status, headers, parsed body); ``lambda_answer`` is the function's raw
answer (base64 bodies, cookies), for tests of the answer's encoding or of a method the function refuses.
Over HTTP, against ``ringbridge serve``: ``tests.support.local_server.LocalServer.request``.
"""

import json
from dataclasses import dataclass
from typing import Any

from ringbridge_tools.local import lambdas
from tests.support.tenants import Tenant


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def lambda_answer(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    query: dict[str, str] | None = None,
    raw_query: str | None = None,
    function_url: bool = False,
    source_ip: str = "127.0.0.1",
    served_by: str | None = None,
) -> dict[str, Any]:
    """The raw answer of the function serving ``method path``, or ``served_by path``: the function that
    serves that method gets ``method`` (as its function URL would, or the HTTP API's route of the path)."""
    found = lambdas.route(served_by or method, path)
    assert found, f"no function serves {served_by or method} {path}"
    function, route = found
    event = lambdas.http_event(
        method,
        path,
        query=query,
        raw_query=raw_query,
        headers=headers,
        body=body,
        route_path=route.path,
        function_url=function_url,
        source_ip=source_ip,
    )
    return lambdas.invoke(function, event)


def call(
    method: str,
    path: str,
    token: str | None = None,
    *,
    json_body: Any = None,
    body: bytes | str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    function_url: bool = False,
) -> Answer:
    """Invoke the function that serves ``method path`` in this process, with an HTTP API event."""
    all_headers = {"content-type": "application/json"} if (json_body is not None or body is not None) else {}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    payload = json.dumps(json_body) if json_body is not None else body
    response = lambda_answer(method, path, headers=all_headers, body=payload, query=query, function_url=function_url)
    text = response.get("body") or ""
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return Answer(response["statusCode"], {k.lower(): v for k, v in (response.get("headers") or {}).items()}, parsed)


def new_ringotel_contact(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """A contact made through Ringotel's CreateContact: Ivan Franko unless ``fields`` say otherwise."""
    answer = call(
        "POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "Ivan", "last_name": "Franko", **fields}
    )
    assert answer.status == 201, answer.body
    return answer.body


def new_ringio_contact(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """A contact made through Ringio's API: Ivan Franko unless ``fields`` say otherwise."""
    answer = call("POST", "/ringio/contacts", tenant.rw_token, json_body={"contact": {"name": "Ivan Franko", **fields}})
    assert answer.status == 201, answer.body
    return answer.body["contact"]
