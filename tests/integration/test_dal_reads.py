"""Reads that take more than one round trip get everything: a Query's pages, and a BatchGetItem's
chunks of 100 keys and the keys it leaves unprocessed (as DynamoDB does under throttling)."""

import itertools

import pytest

from ringbridge import aws
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import table
from ringbridge.dal.pagination import query_pages
from ringbridge.logic import accounts
from tests.support.dynamodb import dynamodb_hook


@pytest.fixture
def user_ids(tenant) -> list[str]:
    """The ids of five users: the tenant's and four more."""
    for n in range(4):
        accounts.create_user(tenant.account_id, f"User {n}")
    return sorted(user["id"] for user in accounts_dal.list_users(tenant.account_id))


def test_a_query_follows_its_pages_to_the_last_item_and_reads_no_page_early(tenant, user_ids, no_scan):
    request = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": table.account_pk(tenant.account_id)}, ":prefix": {"S": "USER#"}},
        "Limit": 2,
    }
    no_scan.clear()

    pages = query_pages(aws.dynamodb(), request)
    first = next(pages)
    assert no_scan == ["Query"]
    rest = list(pages)
    assert no_scan == ["Query"] * 3

    assert [len(page) for page in [first, *rest]] == [2, 2, 1]
    assert [table.from_item(item)["id"] for item in itertools.chain(first, *rest)] == user_ids
    assert "ExclusiveStartKey" not in request  # the caller's request is not changed


def test_a_batch_read_of_more_than_100_keys_is_read_in_chunks(tenant, user_ids, no_scan):
    users = [f"USER#{user_id}" for user_id in user_ids]
    missing = [f"USER#missing{n:03d}" for n in range(245)]
    # The users at the start, in the middle and at the end of 250 keys
    wanted = [users[0], *missing[:120], users[1], *missing[120:], *users[2:]]
    no_scan.clear()

    found = table.get_items(tenant.account_id, wanted)

    assert no_scan == ["BatchGetItem"] * 3
    assert sorted(found) == users
    assert sorted(item["id"] for item in found.values()) == user_ids


def test_keys_a_batch_read_leaves_unprocessed_are_read_again(tenant, user_ids, no_scan):
    throttled = []

    def leave_all_but_one_unprocessed(parsed, **_):
        items = parsed["Responses"][table.name()]
        if not throttled and len(items) > 1:  # the first answer only, as a throttled DynamoDB may
            throttled.extend(items[1:])
            keys = [{"PK": item["PK"], "SK": item["SK"]} for item in items[1:]]
            parsed["Responses"][table.name()] = items[:1]
            parsed["UnprocessedKeys"] = {table.name(): {"Keys": keys, "ConsistentRead": True}}

    with dynamodb_hook("after-call.dynamodb.BatchGetItem", leave_all_but_one_unprocessed):
        no_scan.clear()
        found = table.get_items(tenant.account_id, [f"USER#{user_id}" for user_id in user_ids])

    assert len(throttled) == 4
    assert no_scan == ["BatchGetItem"] * 2
    assert sorted(item["id"] for item in found.values()) == user_ids
