"""One OpenAPI document for the whole HTTP API, merged from every function's own resolver."""

import json
from typing import Any

from ringbridge.local import lambdas, template

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
        version="1.0.0",
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
    return json.loads(merge.get_openapi_json_schema())
