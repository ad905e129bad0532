"""The authorization and token endpoints' parameter checks, where a slip would widen what a client gets:
PKCE without a method, a scope sent with the code, a forged token at revocation, a form without its CSRF token.
"""

from tests.integration.oauth_flow import (  # noqa: F401 - fixtures
    REDIRECT,
    approve,
    authorize_query,
    client_fixture,
    exchange,
    find,
    pkce_pair,
    send,
    send_revoke,
    tenant_fixture,
    tokens,
)


def test_a_challenge_without_its_method_is_plain_by_rfc_7636_and_refused(client):
    # RFC 7636 §4.3: no code_challenge_method means "plain", which RFC 9700 rules out
    _, challenge = pkce_pair()

    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"], code_challenge=challenge))

    assert page.status == 302 and page.location.startswith(REDIRECT)
    assert page.redirect_params()["error"] == "invalid_request"
    assert page.redirect_params()["error_description"] == "code_challenge_method must be S256"


def test_a_scope_sent_with_the_code_cannot_widen_what_was_approved(tenant, client):
    # Given a grant approved for ro
    code = approve(client, tenant.rw_token, scope="ro")["code"]

    # When the client asks for rw as it exchanges the code
    answer = exchange(client, code, scope="rw")

    # Then it gets what was approved, and the token cannot write
    assert answer.status == 200 and answer.json()["scope"] == "ro"
    write = send(
        "POST",
        "/ringotel/contacts",
        headers={"authorization": f"Bearer {answer.json()['access_token']}", "content-type": "application/json"},
    )
    assert write.status == 403


def test_revoking_with_a_forged_secret_revokes_nothing(tenant, client):
    # Given a real token, and the same token with its secret part changed (its ids still real)
    issued = tokens(client, tenant.rw_token)
    real = issued["access_token"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")

    # When the forged one is revoked: RFC 7009 answers 200 for a token it does not know
    assert send_revoke(client, forged).status == 200
    assert send_revoke(client, issued["refresh_token"][:-4] + "AAAA").status == 200

    # Then the real token still works
    assert find(real).status == 200


def test_a_consent_form_without_its_csrf_token_or_cookie_is_refused(tenant, client):
    query = authorize_query(client["client_id"])

    reply = send(
        "POST", "/oauth/authorize", form={"request": query, "decision": "approve", "api_token": tenant.rw_token}
    )

    assert reply.status == 403 and "location" not in reply.headers
