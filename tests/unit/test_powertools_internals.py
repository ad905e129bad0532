"""ringbridge.http._routes_of_path reads Powertools' private route tables (``_static_routes``,
``_dynamic_routes``, each route's ``method``, ``rule`` and ``dependant.body_params``): nothing public
says which methods a path has. An upgrade that renames or reshapes them must fail here, naming the
version, not turn every 405 and JSON body check into a silent pass."""

from importlib.metadata import version
from typing import Annotated

import pytest
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Form
from pydantic import BaseModel

from ringbridge import http

POWERTOOLS = f"aws-lambda-powertools {version('aws-lambda-powertools')}"
CHANGED = f"{POWERTOOLS} changed the private route tables ringbridge.http._routes_of_path reads"


class Thing(BaseModel):
    name: str


def resolver() -> APIGatewayHttpResolver:
    """Two routes on one path with an id in it (a dynamic route: GET with no body, PUT with JSON), and a
    literal path (a static route) whose POST takes a form."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.get("/things/<thing_id>")
    def read(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.put("/things/<thing_id>")
    def replace(thing_id: str, thing: Thing) -> dict[str, str]:
        return {"id": thing_id, "name": thing.name}

    @app.post("/things/upload")
    def upload(name: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": name}

    return app


def test_the_private_route_tables_are_where_routes_of_path_reads_them() -> None:
    app = resolver()
    for table in ("_static_routes", "_dynamic_routes"):
        assert isinstance(getattr(app, table, None), list), f"{CHANGED}: no list app.{table}"
    routes = app._static_routes + app._dynamic_routes
    assert len(routes) == 3, f"{CHANGED}: the tables hold {len(routes)} routes, not the 3 registered"
    for route in routes:
        for attribute in ("method", "rule", "dependant"):
            assert hasattr(route, attribute), f"{CHANGED}: a route has no .{attribute}"
        assert hasattr(route.rule, "match"), f"{CHANGED}: a route's .rule is not a compiled pattern"
        body_params = getattr(route.dependant, "body_params", None)
        assert isinstance(body_params, list), f"{CHANGED}: a route's .dependant.body_params is not a list"


def test_routes_of_path_finds_every_method_of_a_path_and_which_take_json() -> None:
    app = resolver()
    try:
        dynamic = http._routes_of_path(app, "/things/42")
        static = http._routes_of_path(app, "/things/upload")
    except (AttributeError, TypeError) as error:
        pytest.fail(f"{CHANGED}: {error!r}")

    assert dynamic == {"GET": False, "PUT": True}, f"{CHANGED}: /things/42 gave {dynamic}"
    # A literal path also matches the <thing_id> rule; a form body is not JSON
    assert static == {"GET": False, "PUT": True, "POST": False}, f"{CHANGED}: /things/upload gave {static}"
    assert http._routes_of_path(app, "/other") == {}, CHANGED
