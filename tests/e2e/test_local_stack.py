"""The local stack over real HTTP: `ringbridge serve` with its demo data, and the CLI around it."""

import json
import time
import uuid

import pytest

from ringbridge_tools.local import template
from tests.support.local_server import LocalServer, ringbridge, start_server, stop_server

pytestmark = pytest.mark.e2e

# The demo UA account has a contact on +380 44 111 11 11; these are the ways a PBX may send it.
UA_FORMATS = ["+380 44 111 11 11", "380441111111", "0441111111", "(044) 111-11-11", "00380441111111"]


def test_users_and_organizations_answer_with_demo_data(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]

    users = local_server.request("GET", "/ringotel/users", demo["ro_token"])
    organizations = local_server.request("GET", "/ringotel/organizations", demo["ro_token"])

    assert users.status_code == 200, users.text
    assert demo["user_id"] in [user["id"] for user in users.json()["users"]]
    assert all(user["extension"] for user in users.json()["users"])
    assert organizations.status_code == 200, organizations.text
    assert demo["organization_id"] in [org["id"] for org in organizations.json()["organizations"]]


def test_contacts_are_listed_page_by_page(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = local_server.request("GET", "/ringotel/contacts", demo["ro_token"], params=params)
        assert page.status_code == 200, page.text
        assert len(page.json()["contacts"]) <= 2
        seen += [contact["id"] for contact in page.json()["contacts"]]
        pages += 1
        cursor = page.json()["next"]
        if not cursor:
            break
    assert pages >= 3  # the demo account has 5 contacts
    assert len(seen) == len(set(seen))
    assert demo["contact_id"] in seen


@pytest.mark.parametrize("phone", UA_FORMATS)
def test_find_contact_in_every_ua_format(local_server: LocalServer, phone: str) -> None:
    demo = local_server.accounts[0]

    found = local_server.request("GET", "/ringotel/contacts/find", demo["ro_token"], params={"phone": phone})

    assert found.status_code == 200, found.text
    assert [contact["id"] for contact in found.json()["contacts"]] == [demo["contact_id"]]
    assert found.headers["X-Ringbridge-DynamoDB-Calls"]  # the server reports the round trips


def test_create_update_and_stale_version(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]
    created = local_server.request(
        "POST",
        "/ringotel/contacts",
        demo["rw_token"],
        json={"first_name": "Hanna", "last_name": "Tkachenko", "phones": [{"number": "044 555 66 77"}]},
    )
    assert created.status_code == 201, created.text
    contact = created.json()

    updated = local_server.request(
        "PUT", f"/ringotel/contacts/{contact['id']}", demo["rw_token"], json={"job_title": "CFO", "version": 1}
    )
    stale = local_server.request(
        "PUT", f"/ringotel/contacts/{contact['id']}", demo["rw_token"], json={"job_title": "CEO", "version": 1}
    )

    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2 and updated.json()["job_title"] == "CFO"
    assert stale.status_code == 409, stale.text
    assert stale.json()["contact"]["job_title"] == "CFO"


@pytest.mark.parametrize("token", [None, "rbk_nope_nope_nope", "not-a-token"])
def test_a_missing_or_unknown_token_is_403(local_server: LocalServer, token: str | None) -> None:
    answer = local_server.request("GET", "/ringotel/users", token)

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_a_read_only_token_cannot_write(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]

    answer = local_server.request("POST", "/ringotel/contacts", demo["ro_token"], json={"first_name": "Nope"})

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_basic_auth_with_the_token_as_user_name(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]

    answer = local_server.request("GET", "/ringotel/users", auth=(demo["ro_token"], "x"))

    assert answer.status_code == 200, answer.text


def test_another_accounts_contact_is_404_like_a_missing_one(local_server: LocalServer) -> None:
    ua, us = local_server.accounts[0], local_server.accounts[1]

    theirs = local_server.request("PUT", f"/ringotel/contacts/{ua['contact_id']}", us["rw_token"], json={})
    missing = local_server.request("PUT", "/ringotel/contacts/01NOSUCHCONTACT", us["rw_token"], json={})

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_unknown_route_and_oversized_body(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]

    unknown = local_server.request("GET", "/no/such/route", demo["ro_token"])
    too_large = local_server.request(
        "POST",
        "/ringotel/contacts",
        demo["rw_token"],
        data=b" " * (10 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )

    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "payload_too_large"


def test_openapi_lists_every_route_of_the_template(local_server: LocalServer) -> None:
    document = local_server.request("GET", "/openapi.json").json()

    assert document["info"]["title"] == "ringbridge"
    assert set(document["components"]["securitySchemes"]) == {"Bearer", "Basic"}
    for function in template.functions().values():
        for route in function.routes:
            if route.path != "$default":  # what no route serves: not an operation of the API
                assert route.method.lower() in document["paths"].get(route.path, {}), f"{route.method} {route.path}"


def test_swagger_ui_answers_html(local_server: LocalServer) -> None:
    page = local_server.request("GET", "/swagger")

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "swagger" in page.text.lower()


def test_invoke_runs_a_sample_event_against_the_running_stack(local_server: LocalServer) -> None:
    result = ringbridge(
        "invoke",
        "RingotelFindContactFunction",
        "events/ringotel/RingotelFindContactFunction.json",
        "--state-dir",
        str(local_server.state_dir),
    )

    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["statusCode"] == 200
    assert [contact["id"] for contact in response["body"]["contacts"]] == [local_server.accounts[0]["contact_id"]]


def test_admin_cli_manages_accounts_users_and_tokens(local_server: LocalServer) -> None:
    def admin(*args: str) -> dict:
        result = ringbridge("admin", "--local", "--state-dir", str(local_server.state_dir), *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    # Given an account with a user and a read-write token made with the admin CLI
    account = admin("create-account", "--name", f"Admin test {uuid.uuid4().hex[:6]}", "--region", "UA")
    user = admin("create-user", account["id"], "--name", "Roman Lysenko", "--extension", "301")
    token = admin("create-token", account["id"], "--scope", "rw")
    # and a second token, revoked before it was ever used
    revoked = admin("create-token", account["id"], "--scope", "ro")
    admin("revoke-token", account["id"], revoked["key_id"])

    # Then the token works over HTTP, the revoked one does not, and list-tokens shows both
    users = local_server.request("GET", "/ringotel/users", token["token"])
    assert users.status_code == 200, users.text
    assert [found["id"] for found in users.json()["users"]] == [user["id"]]
    assert local_server.request("GET", "/ringotel/users", revoked["token"]).status_code == 403
    listed = {entry["key_id"]: entry for entry in admin("list-tokens", account["id"])}
    assert set(listed) == {token["key_id"], revoked["key_id"]}
    assert listed[revoked["key_id"]].get("revoked_at") and not listed[token["key_id"]].get("revoked_at")
    assert all("secret_hash" not in entry and "token" not in entry for entry in listed.values())


def test_admin_cli_errors_go_to_stderr_with_status_1(local_server: LocalServer) -> None:
    result = ringbridge("admin", "--local", "--state-dir", str(local_server.state_dir), "list-tokens", "01NOSUCH")

    assert result.returncode == 1
    assert "no such account" in result.stderr and result.stdout == ""


def test_data_survives_a_restart(tmp_path) -> None:
    # Given a server where a contact was created
    server = start_server(tmp_path / "state")
    demo = server.accounts[0]
    created = server.request(
        "POST",
        "/ringotel/contacts",
        demo["rw_token"],
        json={"last_name": "Persistent", "phones": [{"number": "+380 44 999 88 77"}]},
    )
    assert created.status_code == 201, created.text

    # When it is stopped with Ctrl-C and started again on the same state dir
    stop_server(server)
    again = start_server(tmp_path / "state")
    try:
        # Then the contact is still there, and demo.json's tokens still work
        assert again.accounts == server.accounts
        found = again.request("GET", "/ringotel/contacts/find", demo["ro_token"], params={"phone": "0449998877"})
        assert found.status_code == 200, found.text
        assert [contact["id"] for contact in found.json()["contacts"]] == [created.json()["id"]]
    finally:
        stop_server(again)


def test_writes_are_snapshotted_while_it_runs(tmp_path) -> None:
    # Given a server where a contact was created
    server = start_server(tmp_path / "state")
    demo = server.accounts[0]
    body = {"last_name": "Crash", "phones": [{"number": "0447776655"}]}
    created = server.request("POST", "/ringotel/contacts", demo["rw_token"], json=body)
    assert created.status_code == 201, created.text

    # When the periodic snapshot has it and the process is killed without a chance to save
    snapshot = tmp_path / "state" / "dynamodb.json"
    deadline = time.monotonic() + 60
    while created.json()["id"] not in snapshot.read_text():
        assert time.monotonic() < deadline, "no snapshot was taken after the write"
        time.sleep(0.2)
    server.process.kill()
    server.process.wait(timeout=30)

    # Then a new server on the same state dir still has it
    again = start_server(tmp_path / "state")
    try:
        found = again.request("GET", "/ringotel/contacts/find", demo["ro_token"], params={"phone": "+380447776655"})
        assert [contact["id"] for contact in found.json()["contacts"]] == [created.json()["id"]]
    finally:
        stop_server(again)


def test_admin_cli_gives_a_token_a_rate_limit(local_server: LocalServer) -> None:
    def admin(*args: str) -> dict:
        result = ringbridge("admin", "--local", "--state-dir", str(local_server.state_dir), *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    account_id = local_server.accounts[0]["account_id"]
    token = admin("create-token", account_id, "--scope", "ro", "--rate-limit", "2")
    assert token["rate_limit_per_minute"] == 2
    answers = [local_server.request("GET", "/ringotel/users", token["token"]) for _ in range(5)]
    # Two a minute: of five quick requests at most four pass, even across a minute's edge
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused and len(answers) - len(refused) <= 4
    assert 1 <= int(refused[0].headers["Retry-After"]) <= 60
    assert refused[0].json()["error"]["code"] == "rate_limited"
    changed = admin("set-rate-limit", account_id, token["key_id"], "0")
    assert changed["rate_limit_per_minute"] is None
    listed = {entry["key_id"]: entry for entry in admin("list-tokens", account_id)}
    assert "rate_limit_per_minute" not in listed[token["key_id"]]
