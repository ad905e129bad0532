"""A Query of many pages is read to its last item, one page at a time as the caller takes them."""

import itertools

from ringbridge import aws
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import table
from ringbridge.dal.pagination import query_pages
from ringbridge.logic import accounts


def test_a_query_follows_its_pages_to_the_last_item_and_reads_no_page_early(tenant, no_scan):
    for n in range(4):
        accounts.create_user(tenant.account_id, f"User {n}")
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
    ids = [table.from_item(item)["id"] for item in itertools.chain(first, *rest)]
    assert ids == sorted(user["id"] for user in accounts_dal.list_users(tenant.account_id))
    assert len(set(ids)) == 5
    assert "ExclusiveStartKey" not in request  # the caller's request is not changed
