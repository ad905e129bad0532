import base64

import pytest

from ringbridge import auth, tokens
from ringbridge.account_scope import AccountScope
from ringbridge.caller import Caller
from ringbridge.errors import Forbidden


def test_issued_tokens_are_random_and_only_their_hash_is_kept():
    first, second = tokens.issue("ACC", "KEY1"), tokens.issue("ACC", "KEY2")
    secret = first.token.split("_", 3)[3]
    # 32 random bytes, url-safe base64: 256 bits, well over the 128 required.
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert first.token != second.token
    assert secret not in first.secret_hash
    assert first.token.startswith("rbk_ACC_KEY1_")


def test_bearer_and_basic_with_token_as_user_name_are_both_accepted():
    token = "rbk_A_K_secret"
    basic = base64.b64encode(f"{token}:x".encode()).decode()
    assert auth.token_from_headers({"authorization": f"Bearer {token}"}) == token
    assert auth.token_from_headers({"Authorization": f"Basic {basic}"}) == token


def test_the_scheme_may_be_followed_by_several_spaces_and_the_password_may_hold_colons():
    # RFC 7235: one or more spaces after the scheme; RFC 7617: the user id ends at the first colon
    token = "rbk_A_K_secret"
    basic = base64.b64encode(f"{token}:pass:with:colons".encode()).decode()
    assert auth.token_from_headers({"authorization": f"Bearer   {token}"}) == token
    assert auth.token_from_headers({"authorization": f"Basic  {basic}"}) == token


BASIC_OF_A_TOKEN = base64.b64encode(b"rbk_A_K_secret:x").decode()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer",
        "Basic !!!",
        "Token abc",
        "Basic " + base64.b64encode(b":x").decode(),
        # Characters outside base64's alphabet are refused, not skipped to find a token anyway
        f"Basic {BASIC_OF_A_TOKEN[:8]}*{BASIC_OF_A_TOKEN[8:]}",
    ],
)
def test_malformed_authorization_headers_carry_no_token(value):
    assert auth.token_from_headers({"authorization": value}) is None


@pytest.mark.parametrize(
    "token", ["nonsense", "rbk_only_three", "rbk__K_secret", "rbk_A__secret", "rbk_A_K_", "xyz_A_K_secret"]
)
def test_tokens_that_cannot_be_ours_are_refused_without_a_lookup(token, no_scan):
    del no_scan[:]
    with pytest.raises(Forbidden) as refused:
        auth.verify(token)
    assert refused.value.message == "invalid API token"
    assert no_scan == []


@pytest.mark.parametrize("token", [None, ""])
def test_a_missing_token_is_refused_saying_how_to_send_one(token):
    with pytest.raises(Forbidden) as refused:
        auth.verify(token)

    assert refused.value.message == "missing API token: send 'Authorization: Bearer <token>'"


@pytest.mark.parametrize(
    "token",
    [
        "rbk_" + "A" * 3000 + "_K_secret",
        "rbk_" + "A" * 65 + "_K_secret",
        "rbk_A_" + "K" * 65 + "_secret",
        "rba_" + "_".join(["A" * 3000] * 4) + "_s",
    ],
)
def test_oversized_ids_are_refused_before_any_dynamodb_call(token, no_scan):
    # DynamoDB refuses keys over 1-2 KB with a ValidationException (a 500); moto does not, so count calls
    del no_scan[:]
    with pytest.raises(Forbidden) as refused:
        auth.verify(token)
    assert refused.value.message == "invalid API token"
    assert no_scan == []


def test_a_token_with_ids_and_length_at_their_limits_is_looked_up(no_scan):
    # 64-character ids, and a secret long enough for the whole token to be 256 characters
    head = f"rbk_{'A' * 64}_{'K' * 64}_"
    token = head + "s" * (tokens.MAX_TOKEN_LENGTH - len(head))
    del no_scan[:]

    with pytest.raises(Forbidden) as refused:
        auth.verify(token)

    assert refused.value.message == "invalid API token"
    assert no_scan == ["BatchGetItem"]


def test_a_read_only_caller_is_refused_a_write_saying_why():
    reader = Caller(account_id="A", key_id="K", scope="ro", region="UA")

    with pytest.raises(Forbidden) as refused:
        reader.account.require_write()

    assert refused.value.message == "this token is read-only"
    assert Caller(account_id="A", key_id="K", scope="rw", region="UA").account.require_write() is None


def test_a_caller_hands_the_logic_only_its_account():
    writer = Caller(account_id="A", key_id="K", scope="rw", region="UA", rate_limit_per_minute=5)

    account = writer.account
    assert (type(account), account.account_id, account.region, account.can_write) == (AccountScope, "A", "UA", True)
    assert Caller(account_id="A", key_id="K", scope="ro", region="UA").account.can_write is False
