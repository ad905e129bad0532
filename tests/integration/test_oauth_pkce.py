"""PKCE (RFC 7636) as RFC 9700 §2.1.1 asks: S256 only, well-formed values, no downgrade, and a per-client
setting that requires it (off by default: phone systems' OAuth clients often send no code_challenge)."""

import base64
import hashlib

import pytest

from ringbridge import auth, aws, tokens
from ringbridge.dal import oauth as oauth_dal
from ringbridge.dal import table
from tests.integration.oauth_flow import (  # noqa: F401 - fixtures
    REDIRECT,
    approve,
    authorize_query,
    client_fixture,
    exchange,
    pkce_pair,
    register,
    send,
    tenant_fixture,
)

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def approve_with_challenge(client, tenant, challenge: str) -> str:
    return approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]


def test_pkce_s256_verified(tenant, client):
    verifier, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    assert exchange(client, code, code_verifier=verifier).status == 200


def test_pkce_wrong_verifier_is_invalid_grant(tenant, client):
    _, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    answer = exchange(client, code, code_verifier=pkce_pair()[0])
    assert answer.status == 400 and answer.json()["error"] == "invalid_grant"


def test_pkce_missing_verifier_is_refused(tenant, client):
    _, challenge = pkce_pair()
    code = approve(client, tenant.rw_token, code_challenge=challenge, code_challenge_method="S256")["code"]
    answer = exchange(client, code)
    assert answer.status == 400 and answer.json()["error"] == "invalid_request"


def test_pkce_plain_is_refused_back_at_the_redirect_uri(client):
    page = send(
        "GET",
        "/oauth/authorize",
        query=authorize_query(client["client_id"], state="s8", code_challenge="abc", code_challenge_method="plain"),
    )
    assert page.status == 302 and page.location.startswith(REDIRECT)
    assert page.redirect_params() == {
        "error": "invalid_request",
        "error_description": "code_challenge_method must be S256",
        "state": "s8",
    }


def test_a_verifier_for_a_code_issued_without_a_challenge_is_refused(tenant, client):
    code = approve(client, tenant.rw_token)["code"]  # no code_challenge
    verifier, _ = pkce_pair()
    downgrade = exchange(client, code, code_verifier=verifier)
    assert downgrade.status == 400, downgrade.body
    assert downgrade.json() == {
        "error": "invalid_grant",
        "error_description": "This code was issued without a code_challenge: a code_verifier cannot be checked.",
    }


@pytest.mark.parametrize("verifier", [UNRESERVED[:43], (UNRESERVED * 2)[:128]], ids=["43", "128"])
def test_verifiers_of_43_and_128_unreserved_characters_work(tenant, client, verifier):
    code = approve_with_challenge(client, tenant, challenge_of(verifier))
    assert exchange(client, code, code_verifier=verifier).status == 200


@pytest.mark.parametrize(
    "verifier",
    [UNRESERVED[:42], (UNRESERVED * 2)[:129], "+" + UNRESERVED[:42], UNRESERVED[:42] + "=", UNRESERVED[:42] + " "],
    ids=["42", "129", "plus", "padding", "space"],
)
def test_a_malformed_verifier_is_invalid_request_and_spends_nothing(tenant, client, verifier):
    # Refused even for the code whose challenge it hashes to
    own_code = approve_with_challenge(client, tenant, challenge_of(verifier))
    refused = exchange(client, own_code, code_verifier=verifier)
    assert refused.status == 400, refused.body
    assert refused.json() == {
        "error": "invalid_request",
        "error_description": "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1).",
    }
    # A refused request spends nothing: the code's right verifier still works after it
    right, challenge = pkce_pair()
    code = approve_with_challenge(client, tenant, challenge)
    assert exchange(client, code, code_verifier=verifier).json()["error"] == "invalid_request"
    assert exchange(client, code, code_verifier=right).status == 200


@pytest.mark.parametrize(
    "challenge",
    ["a" * 42, "a" * 44, "+" * 43, "a" * 42 + "=", "a" * 42 + "."],
    ids=["42", "44", "plus", "padding", "dot"],
)
def test_a_malformed_challenge_goes_back_to_the_client_as_invalid_request(client, challenge):
    query = authorize_query(client["client_id"], state="s9", code_challenge=challenge, code_challenge_method="S256")
    page = send("GET", "/oauth/authorize", query=query)
    assert page.status == 302 and page.location.startswith(REDIRECT + "?")
    assert page.redirect_params() == {
        "error": "invalid_request",
        "error_description": "code_challenge must be the 43-character BASE64URL of the code_verifier's SHA-256 "
        "(RFC 7636 §4.2)",
        "state": "s9",
    }


def test_a_challenge_of_43_base64url_characters_is_taken(client):
    query = authorize_query(client["client_id"], code_challenge="aZ09-_" * 7 + "x", code_challenge_method="S256")
    assert send("GET", "/oauth/authorize", query=query).status == 200


def test_a_client_that_requires_pkce_refuses_requests_without_a_challenge(tenant):
    strict = register(tenant.account_id, name="Strict", require_pkce=True)
    page = send("GET", "/oauth/authorize", query=authorize_query(strict["client_id"], state="s3"))
    assert page.status == 302 and page.redirect_params()["error"] == "invalid_request"
    assert page.redirect_params()["state"] == "s3"
    # With PKCE it works as any client
    verifier, challenge = pkce_pair()
    code = approve_with_challenge(strict, tenant, challenge)
    assert exchange(strict, code, code_verifier=verifier).status == 200


def test_by_default_a_client_need_not_send_pkce(tenant, client):
    assert exchange(client, approve(client, tenant.rw_token)["code"]).status == 200


def test_a_client_registered_before_require_pkce_existed_need_not_send_it(tenant, client):
    # Given the client's item as it was written before the option (no require_pkce attribute)
    ref = tokens.parse_client_id(client["client_id"])
    assert ref is not None
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=table.key(table.account_pk(ref.account_id), oauth_dal.client_sk(ref.client_key)),
        UpdateExpression="REMOVE require_pkce",
        ConditionExpression="attribute_exists(require_pkce)",  # the client's own item, not a new one
    )
    auth.forget_verified()

    assert exchange(client, approve(client, tenant.rw_token)["code"]).status == 200
