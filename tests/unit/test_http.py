"""http.handle's body checks apply to JSON routes only: a form route (OAuth2 style) reads its form."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Form

from ringbridge import http
from ringbridge_tools.local import lambdas

app = http.create_app()


@app.post("/form")
def form_route(grant_type: Annotated[str, Form()]) -> dict[str, Any]:
    return {"grant_type": grant_type}


def post(body: str, content_type: str) -> dict[str, Any]:
    event = lambdas.http_event("POST", "/form", headers={"content-type": content_type}, body=body)
    return http.handle(app, event, None, authenticate=False)


def test_a_form_route_gets_its_form_body_untouched_by_the_json_checks():
    answer = post("grant_type=authorization_code", "application/x-www-form-urlencoded")
    assert answer["statusCode"] == 200 and '"authorization_code"' in answer["body"]


def test_another_method_on_the_form_route_is_405_with_allow():
    event = lambdas.http_event("GET", "/form")
    answer = http.handle(app, event, None, authenticate=False)
    assert answer["statusCode"] == 405 and answer["headers"]["Allow"] == "POST"
