"""The OAuth2 consent page in a real browser: sign in, approve, land on the client with a code."""

import base64
import hashlib
import http.server
import json
import os
import secrets
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.local_server import LocalServer, cli_environment, ringbridge


class _Callback(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"<!DOCTYPE html><title>Client callback</title><p>Signed in.</p>")

    def log_message(self, *_: object) -> None:
        """Quiet: the query carries the code."""


@pytest.fixture(scope="module")
def callback() -> Iterator[str]:
    """A client's redirect URI on this machine (what Ringotel's would be)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/oauth/callback"
    server.shutdown()


@pytest.fixture(scope="module")
def client(local_server: LocalServer, callback: str) -> dict[str, str]:
    """Registered as an administrator would, with the admin CLI against the running stack."""
    account = local_server.accounts[0]
    made = ringbridge(
        "admin", "--local", "--state-dir", str(local_server.state_dir),
        "create-oauth-client", account["account_id"], "--name", "Ringotel", "--redirect-uri", callback,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)


def authorize_url(local_server: LocalServer, client: dict[str, str], callback: str, challenge: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": callback,
        "state": "browser-state",
        "scope": "rw",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{local_server.base_url}/oauth/authorize?{urlencode(query)}"


def test_sign_in_approve_exchange_and_call_findcontact(
    page: Page, local_server: LocalServer, client: dict[str, str], callback: str
) -> None:
    """Ringotel's part is played from the integration document's OAuth2 block, as Ringotel would."""
    account = local_server.accounts[0]
    oauth2 = local_server.request("GET", "/ringotel/integration.json", params={"auth": "oauth2"}).json()["OAuth2"]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()

    # The administrator opens the authorize URL and sees who asks for what
    query = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": callback,
        "state": "browser-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page.goto(f"{oauth2['authorization_endpoint']}?{urlencode(query)}&{oauth2['authorization_parameters']['default']}")
    expect(page.get_by_role("heading", name="Authorize Ringotel")).to_be_visible()
    expect(page.locator("main")).to_contain_text("with scope rw")
    expect(page.locator("main")).to_contain_text(account["name"])
    # signs in with an rw API token (found by its label, as a screen reader would) and approves
    page.get_by_label("Administrator sign-in").fill(account["rw_token"])
    with page.expect_navigation(url=f"{callback}**"):
        page.get_by_role("button", name="Approve").click()

    # The browser lands on the client's redirect URI with a code and the state
    landed = parse_qs(urlsplit(page.url).query)
    assert landed["state"] == ["browser-state"]
    expect(page.locator("body")).to_contain_text("Signed in.")

    # The client exchanges the code (with its PKCE verifier) and calls FindContact with the access token
    exchanged = requests.post(
        oauth2["token_endpoint"],
        headers={"Content-Type": oauth2["token_parameters"]["content_type"]},
        data={
            "grant_type": "authorization_code",
            "code": landed["code"][0],
            "redirect_uri": callback,
            "code_verifier": verifier,
        },
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert exchanged.status_code == 200, exchanged.text
    access = exchanged.json()["access_token"]
    found = local_server.request("GET", "/ringotel/contacts/find", access, params={"phone": account["phone"]})
    assert found.status_code == 200
    assert account["contact_id"] in [contact["id"] for contact in found.json()["contacts"]]


def test_a_wrong_token_is_told_on_the_page_and_deny_goes_back_with_access_denied(
    page: Page, local_server: LocalServer, client: dict[str, str], callback: str
) -> None:
    page.goto(authorize_url(local_server, client, callback, "x" * 43))
    page.get_by_label("Administrator sign-in").fill("rbk_not_a_token")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    # The form is still there, with a fresh CSRF token; denying needs no sign-in
    with page.expect_navigation(url=f"{callback}**"):
        page.get_by_role("button", name="Deny").click()
    assert parse_qs(urlsplit(page.url).query) == {"error": ["access_denied"], "state": ["browser-state"]}


def test_the_consent_page_fits_a_phone_screen(
    mobile_page: Page,
    local_server: LocalServer,
    client: dict[str, str],
    callback: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    mobile_page.goto(authorize_url(local_server, client, callback, "y" * 43))
    # No sideways scrolling, and both buttons and the field are on screen and usable
    assert mobile_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for control in (
        mobile_page.get_by_label("Administrator sign-in"),
        mobile_page.get_by_role("button", name="Approve"),
        mobile_page.get_by_role("button", name="Deny"),
    ):
        expect(control).to_be_in_viewport()
        box = control.bounding_box()
        assert box and box["height"] >= 44  # a finger-sized target (WCAG 2.5.5)
    mobile_page.screenshot(path=str(tmp_path_factory.mktemp("shots") / "consent-phone.png"), full_page=True)


def test_an_unknown_client_gets_an_error_page_not_a_redirect(
    page: Page, local_server: LocalServer, callback: str
) -> None:
    query = urlencode({"response_type": "code", "client_id": "rbo_nobody_nothing", "redirect_uri": callback})
    answer = page.goto(f"{local_server.base_url}/oauth/authorize?{query}")
    assert answer is not None and answer.status == 400
    expect(page.get_by_role("heading", name="Authorization failed")).to_be_visible()
    assert page.url.startswith(local_server.base_url)


def test_the_pages_create_token_command_works_as_printed(
    page: Page, local_server: LocalServer, client: dict[str, str], callback: str, tmp_path: Path
) -> None:
    """The administrator copies the hint's command, runs it, and signs in with the token it prints."""
    page.goto(authorize_url(local_server, client, callback, "z" * 43))
    command = page.locator(".hint code").inner_text()
    # `--local` reads the state dir .local in the working directory: there, this server's
    (tmp_path / ".local").symlink_to(local_server.state_dir)
    environment = {**cli_environment(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    made = subprocess.run(
        shlex.split(command), cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, (command, made.stderr)

    page.get_by_label("Administrator sign-in").fill(json.loads(made.stdout)["token"])
    with page.expect_navigation(url=f"{callback}**"):
        page.get_by_role("button", name="Approve").click()
    assert parse_qs(urlsplit(page.url).query)["code"]
