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
