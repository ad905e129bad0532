"""A warm function's token cache: bounded by AUTH_CACHE_SECONDS, and the hash compared in constant time."""

import hmac

import pytest

from ringbridge import auth, clock, settings, tokens
from ringbridge.dal import accounts as accounts_dal
from ringbridge.errors import Forbidden


def key_id(token: str) -> str:
    return token.split("_", 3)[2]


def test_a_token_revoked_by_another_process_stops_working_after_the_cache_time(tenant, monkeypatch, no_scan):
    monkeypatch.setenv("AUTH_CACHE_SECONDS", "60")
    settings.reload()
    with clock.manual() as time:
        assert auth.verify(tenant.ro_token).account_id == tenant.account_id
        # Given the token revoked elsewhere (the admin CLI): this process's cache knows nothing of it
        accounts_dal.revoke_token(tenant.account_id, key_id(tenant.ro_token), clock.now_iso())
        del no_scan[:]
        # Within the cache time a warm function trusts its verification, without a read
        time.advance(59.9)
        assert auth.verify(tenant.ro_token).key_id == key_id(tenant.ro_token)
        assert no_scan == []
        # Once it has passed, the token is read again and refused
        time.advance(0.2)
        with pytest.raises(Forbidden):
            auth.verify(tenant.ro_token)
        assert no_scan != []


def test_at_exactly_the_cache_time_the_token_is_read_again(tenant, monkeypatch, no_scan):
    monkeypatch.setenv("AUTH_CACHE_SECONDS", "60")
    settings.reload()
    auth.forget_verified()  # cached from now on, not by an earlier test
    with clock.manual() as time:
        auth.verify(tenant.ro_token)
        accounts_dal.revoke_token(tenant.account_id, key_id(tenant.ro_token), clock.now_iso())
        del no_scan[:]

        time.advance(60)

        with pytest.raises(Forbidden):
            auth.verify(tenant.ro_token)
        assert no_scan != []


def test_a_refused_token_is_never_cached(tenant):
    wrong = tenant.rw_token[:-4] + ("AAAA" if not tenant.rw_token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(Forbidden) as refused:
            auth.verify(wrong)
        assert refused.value.message == "invalid API token"


def test_the_secret_hash_is_compared_in_constant_time(tenant, monkeypatch):
    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def compare_digest(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", compare_digest)
    wrong = tenant.rw_token.rsplit("_", 1)[0] + "_not-the-secret"

    with pytest.raises(Forbidden):
        auth.verify(wrong)
    assert auth.verify(tenant.rw_token).scope == "rw"

    stored = accounts_dal.get_token_and_account(tenant.account_id, key_id(tenant.rw_token))[0]["secret_hash"]
    assert [first for first, _ in compared] == [stored, stored]
    assert compared[1][1] == stored != compared[0][1]

    # A key id that does not exist is compared too, against a stand-in of a hash's length
    compared.clear()
    with pytest.raises(Forbidden):
        auth.verify(f"rbk_{tenant.account_id}_NOSUCHKEY_secret")
    [(stand_in, _)] = compared
    assert stand_in == "0" * len(stored)
