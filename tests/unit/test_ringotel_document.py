"""The integration document's shape (the e2e test drives a whole call through it)."""

import json

from ringbridge.logic import ringotel_document

HOOKS = {
    "Users",
    "Contacts",
    "Organizations",
    "FindContact",
    "CreateContact",
    "UpdateContact",
    "CreateActivity",
    "AssignActivity",
    "UpdateActivity",
    "StopCallActivity",
    "UpdateCallRecording",
}


def test_the_document_has_ringotels_known_parts():
    document = ringotel_document.integration_document("https://api.example.com/")
    assert document["class"] == "crm" and document["id"] == "ringbridge" and document["name"]
    assert document["logo"] == "https://api.example.com/ringotel/logo.svg"
    assert [prop["label"] for prop in document["properties"]] == ["API URL", "API key"]
    assert document["properties"][0]["default"] == "https://api.example.com"
    assert document["auth"] == {"type": "Bearer", "token": "$API key$"}
    assert set(document["api"]) == HOOKS


def test_every_hook_has_a_method_a_relative_path_and_a_response_map():
    for name, hook in ringotel_document.hooks().items():
        assert hook["request_method"] in {"GET", "POST", "PUT"}, name
        assert hook["request_path"].startswith("/ringotel/"), name
        assert hook["response_map"], name
        assert ("request_body" in hook) == (hook["request_method"] != "GET"), name


def test_the_document_holds_no_secret_and_is_plain_json():
    text = json.dumps(ringotel_document.integration_document("https://api.example.com"))
    assert "rbk_" not in text and "Bearer " not in text


def test_the_base_url_is_the_one_the_client_reached():
    assert (
        ringotel_document.base_url_of(
            {"host": "abc.execute-api.eu-central-1.amazonaws.com", "x-forwarded-proto": "https"}
        )
        == "https://abc.execute-api.eu-central-1.amazonaws.com"
    )
    assert ringotel_document.base_url_of({"host": "127.0.0.1:3000"}) == "http://127.0.0.1:3000"


def test_oauth2_document_has_ringotels_oauth2_block_with_our_endpoints():
    document = ringotel_document.integration_document("https://api.example.com/", "oauth2")
    assert "auth" not in document
    assert [prop["label"] for prop in document["properties"]] == ["API URL", "Client ID", "Client Secret"]
    assert document["OAuth2"] == {
        "client_id": "$Client ID$",
        "client_secret": "$Client Secret$",
        "flow_type": {"default": "0"},
        "authorization_endpoint": "https://api.example.com/oauth/authorize",
        "authorization_parameters": {"default": "scope=rw"},
        "token_endpoint": "https://api.example.com/oauth/token",
        "token_parameters": {"content_type": "application/x-www-form-urlencoded;charset=utf-8"},
        "request_auth": "Bearer",
    }
    assert set(document["api"]) == HOOKS


def test_basic_document_sends_the_api_key_as_user_name():
    document = ringotel_document.integration_document("https://api.example.com", "basic")
    assert document["auth"]["type"] == "Basic" and document["auth"]["username"] == "$API key$"
    assert [prop["label"] for prop in document["properties"]] == ["API URL", "API key"]


def test_bearer_is_the_default_and_unknown_kinds_are_refused():
    import pytest

    from ringbridge.errors import InvalidInput

    assert ringotel_document.integration_document("https://a.example.com") == ringotel_document.integration_document(
        "https://a.example.com", "bearer"
    )
    with pytest.raises(InvalidInput):
        ringotel_document.integration_document("https://a.example.com", "digest")
