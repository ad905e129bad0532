"""The local stack's API Gateway: template.yaml's routes, the events it builds, the answers it sends."""

import base64
import re

import pytest

from ringbridge_tools.local import lambdas, stack, template
from ringbridge_tools.local.server import to_http

ROUTES = [(function, route) for function in template.functions().values() for route in function.routes]


@pytest.mark.parametrize("function, route", ROUTES, ids=[f"{route.method} {route.path}" for _, route in ROUTES])
def test_every_route_reaches_its_own_function(function: template.Function, route: template.Route) -> None:
    # A concrete path for the route: each {param} becomes a sample id.
    path = re.sub(r"\{[^/]+\}", "01SAMPLEID", route.path)

    found = lambdas.route(route.method, path)

    assert found is not None
    assert found[0].logical_id == function.logical_id


def test_a_literal_route_wins_over_a_parameter() -> None:
    found = lambdas.route("GET", "/ringotel/contacts/find")

    assert found is not None and found[1].path == "/ringotel/contacts/find"


def test_the_functions_environments_can_share_one_process() -> None:
    environment = stack.function_environment()

    assert environment["TABLE_NAME"] == template.local_name("Table")
    assert environment["RECORDINGS_BUCKET"] == template.local_name("RecordingsBucket")


def test_http_event_joins_repeated_query_names_and_moves_cookies() -> None:
    event = lambdas.http_event(
        "GET", "/ringotel/users", raw_query="a=1&a=2&b=", headers={"Cookie": "x=1; y=2", "X-Thing": "v"}
    )

    assert event["rawQueryString"] == "a=1&a=2&b="
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["cookies"] == ["x=1", "y=2"]
    assert event["headers"] == {"x-thing": "v"}


def test_a_lambda_answer_becomes_an_http_response() -> None:
    response = to_http(
        {
            "statusCode": 201,
            "headers": {"ETag": '"1"'},
            "multiValueHeaders": {"Link": ["<a>", "<b>"]},
            "cookies": ["session=1; Path=/"],
            "body": base64.b64encode(b"\x00\xff").decode(),
            "isBase64Encoded": True,
        }
    )

    assert response.status_code == 201
    assert response.get_data() == b"\x00\xff"
    assert response.headers["ETag"] == '"1"'
    assert response.headers.getlist("Link") == ["<a>", "<b>"]
    assert response.headers.getlist("Set-Cookie") == ["session=1; Path=/"]
    assert response.headers["Content-Type"] == "application/json"


def test_an_answer_without_status_code_is_a_200_json_body() -> None:
    response = to_http({"ok": True})

    assert response.status_code == 200
    assert response.get_json() == {"ok": True}
