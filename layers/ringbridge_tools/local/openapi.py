"""One OpenAPI document for the whole HTTP API, merged from every function's own resolver.

Each route declares its success body and the errors its own logic gives (``http.ok``,
``http.errors``). The answers the shared machinery gives on every route are added here, from the
operation's shape, so that no route can forget them: 413 (body size), 403 and 429 (token, unless
public), 422 (validation, when there are parameters or a body), 400 and 415 (JSON body). Every
error points at the one ``Error`` schema, the body ``ringbridge.http`` really sends.
"""

import json
from importlib import metadata
from typing import Any

from ringbridge_tools.local import lambdas, template

TITLE = "ringbridge"
AUTH_HELP = (
    "An API token, made with `ringbridge admin create-token`: `Authorization: Bearer <token>`, "
    "or HTTP Basic with the token as the user name and any password. An OAuth2 access token "
    "(from /oauth/token) works as a Bearer token too."
)


def document() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBase, HTTPBearer

    merge = OpenAPIMerge(
        title=TITLE,
        version=metadata.version("ringbridge"),
        description="A CRM backend that phone systems (Ringotel, Ringio clients, Ringostat) talk to.",
        security_schemes={
            "Bearer": HTTPBearer(description=AUTH_HELP),
            "Basic": HTTPBase(scheme="basic", description=AUTH_HELP),
        },
        security=[{"Bearer": []}, {"Basic": []}],
        on_conflict="error",  # two functions claiming one route is a template mistake
    )
    for function in template.functions().values():
        app = getattr(lambdas.module_of(function), "app", None) if function.routes else None
        if app is not None:
            merge.add_schema(app.get_openapi_schema(title=TITLE))
    return with_standard_errors(json.loads(merge.get_openapi_json_schema()))


ERROR_REF = "#/components/schemas/Error"
# Error answers whose body a protocol defines, not us: OAuth2's (RFC 6749 §5.2) and the consent page's HTML.
PROTOCOL_ERROR_REFS = frozenset({"#/components/schemas/OAuthError"})
RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def with_standard_errors(document: dict[str, Any]) -> dict[str, Any]:
    from ringbridge.http import STATUS_TEXT
    from ringbridge.models.errors import Error

    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["Error"] = error_schema
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in _standard_statuses(operation, document.get("security") or []):
                responses.setdefault(str(status), {"description": STATUS_TEXT[status]})
            if not (operation.get("parameters") or operation.get("requestBody")):
                responses.pop("422", None)  # Powertools adds it everywhere; nothing to validate here
            for status, response in responses.items():
                if status.startswith(("4", "5")) and not (_protocol_body(response) or _typed_error(response, schemas)):
                    response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
                if status == "429":
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    return document


def _standard_statuses(operation: dict[str, Any], default_security: list[Any]) -> list[int]:
    statuses = [413]
    if operation.get("security", default_security):
        statuses += [403, 429]
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append(422)
    if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
        statuses += [400, 415]
    return statuses


def _typed_error(response: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """An ``Error`` with more typed (a 409's ``models.errors.ConflictBody``, which carries the current item)."""
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    properties = schemas.get(ref.rpartition("/")[2], {}).get("properties", {})
    return ref != ERROR_REF and properties.get("error") == {"$ref": "#/components/schemas/ErrorDetail"}


def _protocol_body(response: dict[str, Any]) -> bool:
    content = response.get("content") or {}
    if not content:
        return False
    json_schema = content.get("application/json", {}).get("schema", {})
    return "application/json" not in content or json_schema.get("$ref") in PROTOCOL_ERROR_REFS
