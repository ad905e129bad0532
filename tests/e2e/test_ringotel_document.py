"""A whole Ringotel call against the local server, driven only through the integration document.

The test plays Ringotel: it reads the document the server publishes, fills in its placeholders,
calls each hook as the document describes it, and reads the values it needs next (contact id,
activity id) out of the answers through each hook's response_map.
"""

import json
import random
import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest
import requests

from tests.audio_server import audio_bytes, serving
from tests.support.local_server import LocalServer, ringbridge

pytestmark = pytest.mark.e2e

HOOKS = [
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
]
PLACEHOLDER = re.compile(r"\$([^$]+)\$")


def fill(template: Any, values: dict[str, str], *, in_path: bool = False) -> Any:
    """The template with every $name$ replaced; a placeholder left without a value fails the test."""
    if isinstance(template, dict):
        return {key: fill(value, values, in_path=in_path) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values, in_path=in_path) for value in template]
    if isinstance(template, str):

        def one(match: re.Match[str]) -> str:
            assert match[1] in values, f"no value for ${match[1]}$"
            return quote(values[match[1]], safe="") if in_path else values[match[1]]

        return PLACEHOLDER.sub(one, template)
    return template


def read_map(response_map: Any, answer: Any, path: str = "") -> dict[str, Any]:
    """Check that every path of the response_map exists in the answer; answer the $var$ -> value pairs.

    A list in the map stands for a list in the answer: every element must fit the map's element
    (an empty list fits; ``Ringotel.call`` then checks that each variable was found somewhere).
    """
    found: dict[str, Any] = {}
    if isinstance(response_map, dict):
        assert isinstance(answer, dict), f"{path or '/'}: expected an object, got {answer!r}"
        for key, sub_map in response_map.items():
            assert key in answer, f"{path}/{key} is in the response_map but not in the answer {answer}"
            found = {**read_map(sub_map, answer[key], f"{path}/{key}"), **found}
    elif isinstance(response_map, list):
        assert isinstance(answer, list), f"{path}: expected a list, got {answer!r}"
        for element in reversed(answer):  # the first element's values win
            found.update(read_map(response_map[0], element, f"{path}/0"))
    else:
        name = PLACEHOLDER.fullmatch(response_map)
        assert name, f"{path}: a response_map leaf must be one $variable$, not {response_map!r}"
        found[name[1]] = answer
    return found


class Ringotel:
    """What Ringotel does with the document: fill it in, call a hook, map the answer."""

    def __init__(self, server: LocalServer, document: dict[str, Any], values: dict[str, str]) -> None:
        self.server = server
        self.document = document
        self.values = values
        self.last: requests.Response | None = None

    def call(self, hook: str, expected_status: int = 200, keep: tuple[str, ...] = ()) -> dict[str, Any]:
        """Call one hook; the mapped values named in ``keep`` are remembered for the next hooks."""
        spec = self.document["api"][hook]
        base = fill(self.document["api_url"], self.values)
        assert base == self.server.base_url
        auth = self.document["auth"]
        assert auth["type"] == "Bearer"
        # (The server helper prefixes the base URL checked above and fails the test on a DynamoDB Scan.)
        response = self.server.request(
            spec["request_method"],
            fill(spec["request_path"], self.values, in_path=True),
            headers={"Authorization": f"Bearer {fill(auth['token'], self.values)}"},
            json=fill(spec["request_body"], self.values) if "request_body" in spec else None,
        )
        assert response.status_code == expected_status, f"{hook}: {response.status_code} {response.text}"
        self.last = response
        answer = response.json()
        mapped = read_map(spec["response_map"], answer)
        assert set(mapped) == set(PLACEHOLDER.findall(json.dumps(spec["response_map"]))), f"{hook}: {answer}"
        self.values.update({name: str(mapped[name]) for name in keep})
        return answer


@pytest.fixture(scope="module")
def files():
    with serving() as base_url:
        yield base_url


def test_the_document_is_public_and_holds_no_secret(local_server: LocalServer) -> None:
    response = local_server.request("GET", "/ringotel/integration.json")
    assert response.status_code == 200
    document = response.json()
    assert document["class"] == "crm" and document["id"] and document["name"]
    assert requests.get(document["logo"], timeout=30).headers["content-type"].startswith("image/svg")
    assert {"API URL", "API key"} <= {prop["label"] for prop in document["properties"]}
    assert document["auth"] == {"type": "Bearer", "token": "$API key$"}
    assert sorted(document["api"]) == sorted(HOOKS)
    for name, hook in document["api"].items():
        assert hook["request_path"].startswith("/") and "response_map" in hook, name
        assert ("request_body" in hook) == (hook["request_method"] in ("POST", "PUT")), name
    text = response.text
    assert not any(account["rw_token"] in text or account["ro_token"] in text for account in local_server.accounts)
    assert "rbk_" not in text


def test_the_cli_prints_the_same_document(local_server: LocalServer) -> None:
    served = local_server.request("GET", "/ringotel/integration.json").json()
    printed = ringbridge("ringotel-document", "--base-url", local_server.base_url)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == served


def test_a_whole_call_through_the_document(local_server: LocalServer, files: str) -> None:
    # Given the document and the values Ringotel would have during one inbound call
    demo = local_server.accounts[0]
    document = local_server.request("GET", "/ringotel/integration.json").json()
    caller = "38067" + "".join(random.choices("0123456789", k=7))
    call_id = f"1729693708182-{uuid.uuid4().hex[:18]}"
    ringotel = Ringotel(
        local_server,
        document,
        {
            "API URL": local_server.base_url,
            "API key": demo["rw_token"],
            "phone": caller,
            "call_id": call_id,
            "direction": "Incoming",  # any common word, any case
            "caller_number": caller,
            "called_number": "380441234567",
            "call_start": "1729693708182",
            "call_end": "1729693750182",
            "call_duration": "42",
            "call_cause": "0",
            "subject": "Inbound call",
            "comment": "Asked about prices",
            "disposition": "interested",
            "recording_url": f"{files}/audio.mp3?size=4096",
        },
    )

    # Users: the CRM users Ringotel maps its own to (the agent is the first), with first and last names
    users = ringotel.call("Users", keep=("user_id", "firstname", "lastname"))
    assert ringotel.values["firstname"] and users["users"][0]["name"].startswith(ringotel.values["firstname"])
    # FindContact: an unknown caller (no list element, so no response_map path to check yet)
    unknown = local_server.request(
        "GET",
        fill(document["api"]["FindContact"]["request_path"], ringotel.values, in_path=True),
        demo["ro_token"],
    )
    assert unknown.json() == {"contacts": []}
    # CreateContact: the agent saves the caller; what Ringotel does not know arrives as ""
    ringotel.values.update(
        firstname="Taras", lastname="Shevchenko", job_title="", company_name="Kobzar Ltd", email="", mobile=""
    )
    created = ringotel.call("CreateContact", 201, keep=("contact_id",))
    contact_id = ringotel.values["contact_id"]
    assert created["id"] == contact_id
    assert created["job_title"] is None and created["emails"] == [] and created["mobile"] is None
    # FindContact now finds them
    assert ringotel.call("FindContact")["contacts"][0]["id"] == contact_id
    # UpdateContact adds a job title, an email and a mobile; the mobile finds the contact too
    mobile = "38063" + "".join(random.choices("0123456789", k=7))
    ringotel.values.update(job_title="Poet and painter", email="taras@example.com", mobile=mobile)
    updated = ringotel.call("UpdateContact", keep=("phone", "mobile"))
    assert updated["job_title"] == "Poet and painter" and updated["emails"] == ["taras@example.com"]
    assert [(phone["type"], phone["number"]) for phone in updated["phones"]] == [("work", caller), ("mobile", mobile)]
    assert ringotel.values["mobile"] == mobile and ringotel.values["phone"] == caller
    found = local_server.request("GET", "/ringotel/contacts/find", demo["ro_token"], params={"phone": mobile})
    assert [contact["id"] for contact in found.json()["contacts"]] == [contact_id]
    # Contacts and Organizations: every item in one gzip-compressed answer (the path has no limit)
    assert "limit" not in document["api"]["Contacts"]["request_path"]
    listed = ringotel.call("Contacts")
    assert ringotel.last is not None and ringotel.last.headers["Content-Encoding"] == "gzip"
    assert contact_id in [contact["id"] for contact in listed["contacts"]] and listed["next"] is None
    organizations = ringotel.call("Organizations")
    assert "Kobzar Ltd" in [organization["name"] for organization in organizations["organizations"]]

    # CreateActivity: the call, matched to the contact just created
    activity = ringotel.call("CreateActivity", 201, keep=("activity_id",))
    assert activity["contact_id"] == contact_id and activity["call_id"] == call_id
    assert activity["direction"] == "inbound"
    assert activity["user_id"] == ringotel.values["user_id"]
    assert ringotel.values["activity_id"] == activity["id"]
    assert ringotel.call("AssignActivity")["contact_id"] == contact_id
    assert ringotel.call("UpdateActivity")["disposition"] == "interested"
    stopped = ringotel.call("StopCallActivity")
    assert stopped["status"] == "completed" and stopped["duration_seconds"] == 42
    recorded = ringotel.call("UpdateCallRecording")
    assert recorded["recording"]["size_bytes"] == 4096

    # Then the recording is there, behind a presigned URL
    link = local_server.request("GET", f"/ringotel/activities/{activity['id']}/recording", demo["ro_token"])
    assert link.status_code == 200, link.text
    assert requests.get(link.json()["url"], timeout=30).content == audio_bytes(4096)
