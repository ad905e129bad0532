"""The admin CLI's OAuth client commands against a running local stack."""

import json

from tests.support.local_server import LocalServer, ringbridge


def admin(server: LocalServer, *args: str):
    return ringbridge("admin", "--local", "--state-dir", str(server.state_dir), *args)


def test_create_list_and_revoke_an_oauth_client(local_server: LocalServer) -> None:
    account = local_server.accounts[1]["account_id"]
    made = admin(
        local_server, "create-oauth-client", account, "--name", "Ringotel",
        "--redirect-uri", "https://a.example.com/cb", "--redirect-uri", "https://b.example.com/cb",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    client = json.loads(made.stdout)
    assert set(client) == {"client_id", "client_secret"} and "cannot be shown again" in made.stderr

    strict = admin(
        local_server, "create-oauth-client", account, "--name", "Strict", "--redirect-uri", "https://a.example.com/cb",
        "--require-pkce",
    )  # fmt: skip
    assert strict.returncode == 0, strict.stderr

    listed = json.loads(admin(local_server, "list-oauth-clients", account).stdout)
    mine = next(entry for entry in listed if entry["client_id"] == client["client_id"])
    assert mine["redirect_uris"] == ["https://a.example.com/cb", "https://b.example.com/cb"]
    assert "revoked_at" not in mine and client["client_secret"] not in json.dumps(listed)
    # PKCE is optional unless the client was made with --require-pkce
    requires = {entry["client_id"]: entry["require_pkce"] for entry in listed}
    assert (requires[client["client_id"]], requires[json.loads(strict.stdout)["client_id"]]) == (False, True)

    revoked = admin(local_server, "revoke-oauth-client", account, client["client_id"])
    assert revoked.returncode == 0, revoked.stderr
    listed = json.loads(admin(local_server, "list-oauth-clients", account).stdout)
    assert next(entry for entry in listed if entry["client_id"] == client["client_id"])["revoked_at"]


def test_cli_refusals_are_one_line_errors(local_server: LocalServer) -> None:
    account = local_server.accounts[1]["account_id"]
    plain_http = admin(
        local_server, "create-oauth-client", account, "--name", "X", "--redirect-uri", "http://x.example.com/"
    )
    assert plain_http.returncode == 1 and "must use https" in plain_http.stderr
    unknown = admin(local_server, "revoke-oauth-client", account, "rbo_nope_nope")
    assert unknown.returncode == 1 and "no such OAuth client" in unknown.stderr
    other_account = admin(local_server, "list-oauth-clients", "01NOSUCHACCOUNT00000000000")
    assert other_account.returncode == 1
