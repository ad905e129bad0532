"""OAuth2 credential formats: what parses, what is refused before it becomes a DynamoDB key."""

import pytest

from ringbridge import tokens
from ringbridge.tokens import ACCESS, REFRESH, ClientId, Token

ULID = "01M8ATEN02WSE7996SWMDEREFM"
OTHER = "01M8ATEN02WSE7996SWMDEREFN"


def _parts(token: Token | None) -> tuple[str, ...]:
    assert token is not None
    return (token.kind, token.account_id, token.client_key, token.grant_id, token.token_key, token.secret)


def test_tokens_and_client_ids_round_trip():
    for kind in (ACCESS, REFRESH):
        token = Token(
            kind, ULID, "01M8ATEN02WSE7996SWMDERAAA", "01M8ATEN02WSE7996SWMDERBBB", OTHER, tokens.new_secret()
        )
        assert _parts(tokens.parse_token(str(token))) == _parts(token)
    assert tokens.parse_client_id(str(ClientId(ULID, OTHER))) == ClientId(ULID, OTHER)
    assert ClientId(ULID, OTHER) != ClientId(OTHER, ULID)
    assert tokens.parse_code(f"{ULID}_a-b_c") == (ULID, "a-b_c")
    assert tokens.is_access_token(str(Token(ACCESS, ULID, ULID, ULID, ULID, "s")))


@pytest.mark.parametrize(
    "text",
    [
        f"rba_{'A' * 65}_{ULID}_{ULID}_{ULID}_secret",  # DynamoDB bounds key length: a huge id never gets there
        f"rba_{ULID}_{ULID}_{ULID}_{ULID}_{'s' * 129}",
        f"rba_{ULID}_a/b_{ULID}_{ULID}_secret",
        f"rba_{ULID}_{ULID}_{ULID}_{ULID}_sec ret",
        f"rbk_{ULID}_{ULID}_{ULID}_{ULID}_secret",
        f"rba_{ULID}__{ULID}_{ULID}_secret",
        "rba_broken",
        "",
    ],
)
def test_malformed_tokens_are_refused(text):
    assert tokens.parse_token(text) is None


@pytest.mark.parametrize("text", [f"rbo_{'A' * 65}_{ULID}", f"rbo_{ULID}", f"rbo_{ULID}_#", "x", None])
def test_malformed_client_ids_are_refused(text):
    assert tokens.parse_client_id(text) is None


@pytest.mark.parametrize("text", [f"{'A' * 65}_secret", "_secret", f"{ULID}_", "nounderscore", None])
def test_malformed_codes_are_refused(text):
    assert tokens.parse_code(text) is None


def test_matches_needs_a_stored_hash_and_the_right_secret():
    stored = tokens.hash_secret("right")
    assert tokens.matches(stored, "right")
    assert not tokens.matches(stored, "wrong")
    assert not tokens.matches(None, "right")
