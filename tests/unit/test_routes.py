"""The $default route (NoRouteFunction): 405 with Allow for a known path's other methods, 404 otherwise."""

import json

import pytest

from ringbridge import http
from ringbridge_tools.local import lambdas, template


def test_the_deployed_route_table_is_the_templates_own():
    # NoRouteFunction's HTTP_ROUTES is written out in template.yaml: a route added without it would
    # answer 405 for its own method
    deployed = json.loads(template.functions()["NoRouteFunction"].environment["HTTP_ROUTES"])

    assert deployed == lambdas.http_routes()


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("DELETE", "/ringotel/contacts/find", 405, "GET"),  # not {contact_id}'s PUT: the literal path wins
        ("PATCH", "/ringio/contacts/01ABC", 405, "DELETE, GET, PUT"),
        ("GET", "/ringotel/activities", 405, "POST"),
        ("GET", "/ringotel/nothing-here", 404, None),
        ("GET", "/ringio/contacts/01ABC/extra", 404, None),
    ],
)
def test_what_no_route_serves_is_answered_with_the_error_body(monkeypatch, method, path, status, allow):
    monkeypatch.setenv("HTTP_ROUTES", json.dumps(lambdas.http_routes()))
    event = lambdas.http_event(method, path, route_path="$default")

    answer = http.no_route(event)

    assert (answer["statusCode"], answer["headers"].get("Allow")) == (status, allow)
    error = json.loads(answer["body"])["error"]
    assert error["code"] == ("method_not_allowed" if status == 405 else "not_found")
    assert event["routeKey"] == "$default"


def test_the_local_stack_sends_what_no_route_serves_to_the_default_route():
    function, route = lambdas.route("DELETE", "/ringotel/contacts/find")

    assert (function.logical_id, route.path) == ("NoRouteFunction", "$default")
    assert lambdas.route("GET", "/ringotel/contacts/find")[0].logical_id == "RingotelFindContactFunction"
    assert lambdas.route("GET", "/no/such/thing")[0].logical_id == "NoRouteFunction"
