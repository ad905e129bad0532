import base64

import pytest

from ringbridge import auth
from ringbridge.errors import Forbidden


def test_issued_tokens_are_random_and_only_their_hash_is_kept():
    first, second = auth.issue("ACC", "KEY1"), auth.issue("ACC", "KEY2")
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


@pytest.mark.parametrize("value", ["", "Bearer", "Basic !!!", "Token abc", "Basic " + base64.b64encode(b":x").decode()])
def test_malformed_authorization_headers_carry_no_token(value):
    assert auth.token_from_headers({"authorization": value}) is None


@pytest.mark.parametrize("token", [None, "", "nonsense", "rbk_only_three", "rbk__K_secret"])
def test_tokens_that_cannot_be_ours_are_refused_without_a_lookup(token):
    with pytest.raises(Forbidden):
        auth.verify(token)


@pytest.mark.parametrize(
    "token",
    ["rbk_" + "A" * 3000 + "_K_secret", "rbk_A_" + "K" * 65 + "_secret", "rba_" + "_".join(["A" * 3000] * 4) + "_s"],
)
def test_oversized_ids_are_refused_before_any_dynamodb_call(token, no_scan):
    # DynamoDB refuses keys over 1-2 KB with a ValidationException (a 500); moto does not, so count calls
    del no_scan[:]
    with pytest.raises(Forbidden):
        auth.verify(token)
    assert no_scan == []


def test_a_read_only_caller_is_refused_a_write_saying_why():
    reader = auth.Caller(account_id="A", key_id="K", scope="ro", region="UA")

    with pytest.raises(Forbidden) as refused:
        reader.require_write()

    assert refused.value.message == "this token is read-only"
    assert auth.Caller(account_id="A", key_id="K", scope="rw", region="UA").require_write() is None
