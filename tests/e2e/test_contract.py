"""The OpenAPI document tells the truth (issue 8); the fuzzer (make fuzz) checks the answers against it."""

from importlib import metadata
from typing import Any

import pytest

from tests.support.local_server import LocalServer

pytestmark = pytest.mark.e2e

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
# OAuth2's own error answers: RFC 6749 §5.2 bodies (what OAuth2 clients parse) and the consent page's HTML.
OAUTH_ERRORS = (
    {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}},
    {"text/html": {"schema": {"type": "string"}}},
)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


@pytest.fixture(scope="module")
def document(local_server: LocalServer) -> dict[str, Any]:
    return local_server.request("GET", "/openapi.json").json()


def test_every_operation_documents_its_success_and_every_error_is_the_error_body(document) -> None:
    for method, path, op in operations(document):
        statuses = set(op["responses"])
        # The consent form's answer is a redirect back to the client, whatever the decision.
        success = ("2", "3") if path.startswith("/oauth/") else ("2",)
        assert any(status.startswith(success) for status in statuses), f"{method} {path} documents no success"
        assert "413" in statuses, f"{method} {path}"
        for status, response in op["responses"].items():
            if status.startswith("4") and not (path.startswith("/oauth/") and response["content"] in OAUTH_ERRORS):
                schema = response["content"]["application/json"]["schema"]
                if status == "409" and schema != ERROR:  # a typed conflict: the Error body and the current item
                    conflict = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
                    schema = ERROR if conflict["properties"]["error"] == ERROR_DETAIL else schema
                assert schema == ERROR, f"{method} {path} {status}"
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])
    assert document["info"]["version"] == metadata.version("ringbridge")


def test_the_statuses_the_shared_machinery_gives_are_documented_where_they_apply(document) -> None:
    for method, path, op in operations(document):
        statuses = set(op["responses"])
        if op.get("security", document["security"]):
            assert {"403", "429"} <= statuses, f"{method} {path}"
        if "application/json" in op.get("requestBody", {}).get("content", {}):
            assert {"400", "415", "422"} <= statuses, f"{method} {path}"


def test_public_routes_carry_no_security_and_the_logo_is_svg(document) -> None:
    for path in ("/ringotel/integration.json", "/ringotel/logo.svg"):
        assert document["paths"][path]["get"]["security"] == []
        assert "403" not in document["paths"][path]["get"]["responses"]
    logo = document["paths"]["/ringotel/logo.svg"]["get"]["responses"]["200"]["content"]
    assert list(logo) == ["image/svg+xml"]
    # The webhook takes its token in the body or a header: both are optional in the header's terms
    assert {} in document["paths"]["/ringotel/webhook"]["post"]["security"]


def test_since_is_a_required_query_parameter_of_every_feed(document) -> None:
    feeds = [op for _, path, op in operations(document) if path.startswith("/ringio/feeds/")]
    assert len(feeds) == 5
    for op in feeds:
        since = next(p for p in op["parameters"] if p["name"] == "since")
        assert since["required"] is True and since["in"] == "query"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/ringio/contacts/01ABC", "DELETE, GET, PUT"),
        ("DELETE", "/ringotel/contacts", "GET, POST"),
        ("POST", "/ringotel/contacts/find", "GET"),
        ("OPTIONS", "/ringotel/activities/1729693708182-abc/recording", "GET, PUT"),
    ],
)
def test_an_unsupported_method_on_a_known_path_is_405_with_allow(
    local_server: LocalServer, method, path, allow
) -> None:
    answer = local_server.request(method, path, local_server.accounts[0]["rw_token"])
    assert answer.status_code == 405 and answer.headers["Allow"] == allow
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_a_wrong_content_type_is_415_with_the_error_body(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]
    for content_type in ("text/plain", "application/xml"):
        answer = local_server.request(
            "POST",
            "/ringotel/contacts",
            demo["rw_token"],
            data=b'{"first_name": "Ivan"}',
            headers={"Content-Type": content_type},
        )
        assert answer.status_code == 415, answer.text
        assert answer.json()["error"] == {
            "code": "unsupported_media_type",
            "message": f"the body must be application/json, not {content_type!r}",
            "field": "Content-Type",
        }
