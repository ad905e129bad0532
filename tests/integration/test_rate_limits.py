"""Per-token rate limits: off by default (no extra DynamoDB call), 429 with Retry-After over the limit."""

from datetime import UTC, datetime

import pytest

from ringbridge import auth, aws, clock
from ringbridge.dal import table
from ringbridge.logic import accounts
from tests.support.activities import new_call_id
from tests.support.api import call

# 30 s into a minute, so a test's requests all fall in one window
MOMENT = datetime(2026, 11, 26, 12, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    moments = {"now": MOMENT}
    monkeypatch.setattr(clock, "now", lambda: moments["now"])
    auth.forget_verified()
    yield moments
    auth.forget_verified()


def find(token):
    return call("GET", "/ringotel/contacts/find", token, query={"phone": "+380441111111"})


def test_a_token_without_a_limit_costs_no_extra_dynamodb_call(tenant, no_scan):
    assert find(tenant.ro_token).status == 200  # verifies and caches the token
    calls_before = len(no_scan)
    assert find(tenant.ro_token).status == 200
    assert no_scan[calls_before:] == ["Query"]  # FindContact warm: one round trip


def test_a_limited_token_gets_429_with_retry_after_over_its_limit_then_the_next_minute_passes(
    tenant, no_scan, frozen_clock
):
    _, token = accounts.create_token(tenant.account_id, "ro", rate_limit_per_minute=3)
    for _ in range(3):
        calls_before = len(no_scan)
        assert find(token).status == 200
    assert no_scan[calls_before:] == ["UpdateItem", "Query"]  # warm: the count, then the lookup
    over = find(token)
    assert over.status == 429 and over.headers["retry-after"] == "30"
    assert over.body["error"]["code"] == "rate_limited" and over.body["error"]["field"] == "Authorization"
    # Another token of the same account is not held back
    assert find(tenant.ro_token).status == 200
    # The next minute counts afresh
    frozen_clock["now"] = MOMENT.replace(minute=1, second=0)
    assert find(token).status == 200


def test_in_the_last_second_of_a_minute_retry_after_is_the_one_second_left(tenant, frozen_clock):
    _, token = accounts.create_token(tenant.account_id, "ro", rate_limit_per_minute=1)
    frozen_clock["now"] = MOMENT.replace(second=59, microsecond=500_000)
    assert find(token).status == 200

    over = find(token)

    assert over.status == 429 and over.headers["retry-after"] == "1"


def test_a_minutes_count_expires_five_minutes_after_that_minute(tenant):
    key_id, token = accounts.create_token(tenant.account_id, "ro", rate_limit_per_minute=3)
    assert find(token).status == 200

    minute = int(MOMENT.timestamp()) // 60
    count = aws.dynamodb().get_item(
        TableName=table.name(),
        Key=table.key(table.account_pk(tenant.account_id), f"RATE#{key_id}#{minute}"),
        ConsistentRead=True,
    )["Item"]
    assert (count["requests"]["N"], count["expires_at"]["N"]) == ("1", str((minute + 5) * 60))


def test_the_limit_can_be_changed_and_removed(tenant):
    key_id, token = accounts.create_token(tenant.account_id, "ro", rate_limit_per_minute=1)
    assert find(token).status == 200 and find(token).status == 429
    accounts.set_token_rate_limit(tenant.account_id, key_id, 3)
    assert [find(token).status for _ in range(3)] == [200, 200, 429]  # 3 a minute, one already used
    accounts.set_token_rate_limit(tenant.account_id, key_id, 0)
    assert all(find(token).status == 200 for _ in range(5))
    assert [
        t.get("rate_limit_per_minute") for t in accounts.list_tokens(tenant.account_id) if t["key_id"] == key_id
    ] == [None]


def test_the_webhook_counts_a_token_sent_in_the_body(tenant):
    _, token = accounts.create_token(tenant.account_id, "rw", rate_limit_per_minute=1)

    def stop():
        body = {"method": "StopCallActivity", "api_token": token, "params": {"call_id": new_call_id()}}
        return call("POST", "/ringotel/webhook", json_body=body)

    assert stop().status == 200
    over = stop()
    assert over.status == 429 and over.headers["retry-after"] == "30"


@pytest.mark.parametrize("limit", [-1, 1_000_001])
def test_a_limit_out_of_range_is_refused(tenant, limit):
    with pytest.raises(Exception, match="requests a minute"):
        accounts.create_token(tenant.account_id, "ro", rate_limit_per_minute=limit)
