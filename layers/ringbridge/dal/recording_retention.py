"""What the recording retention sweep reads and writes (see logic.recording_retention): never a Scan.

    PK                   SK                 what
    ACCOUNT#<a>          RETENTION#SWEEP    where an unfinished sweep of the account's activities got (a cursor)
    RETENTION#SWEEP      ACCOUNTS           the last account the scheduled sweep finished (removed with the pass)

The accounts themselves are found in the recordings bucket (recording_objects.account_ids), their
expired recordings by a Query of their activities, filtered on the recording's upload time.
"""

from collections.abc import Iterator
from typing import Any

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.activities import ACTIVITY_PREFIX
from ringbridge.dal.pagination import query_pages_with_ends
from ringbridge.dal.table import account_pk, from_item, key, strip_keys, to_item

CURSOR_SK = "RETENTION#SWEEP"
SWEEP_PK = "RETENTION#SWEEP"
SWEEP_SK = "ACCOUNTS"


def expired_pages(account_id: str, cutoff: str, after: str | None) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """The account's activities after the sort key ``after`` whose recording was uploaded before ``cutoff``,
    a Query page (1 MB read) at a time, each with the sort key the page ended at (None: the last page).

    The filter is applied after the read: every activity is read (and paid for), only the expired come back.
    """
    request: dict[str, Any] = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": "#recording.#uploaded_at < :cutoff",
        "ExpressionAttributeNames": {"#recording": "recording", "#uploaded_at": "uploaded_at"},
        "ExpressionAttributeValues": {
            ":pk": {"S": account_pk(account_id)},
            ":prefix": {"S": ACTIVITY_PREFIX},
            ":cutoff": {"S": cutoff},
        },
        "ConsistentRead": True,
    }
    if after:
        request["ExclusiveStartKey"] = key(account_pk(account_id), after)
    for page, last in query_pages_with_ends(aws.dynamodb(), request):
        yield [strip_keys(from_item(item)) for item in page], last["SK"]["S"] if last else None


def _get(pk: str, sk: str) -> dict[str, Any] | None:
    answer = aws.dynamodb().get_item(TableName=table.name(), Key=key(pk, sk), ConsistentRead=True)
    return from_item(answer["Item"]) if "Item" in answer else None


def _put(pk: str, sk: str, values: dict[str, Any]) -> None:
    aws.dynamodb().put_item(TableName=table.name(), Item=to_item({"PK": pk, "SK": sk, **values}))


def _delete(pk: str, sk: str) -> None:
    aws.dynamodb().delete_item(TableName=table.name(), Key=key(pk, sk))


def get_cursor(account_id: str) -> str | None:
    """The sort key of the last activity an unfinished sweep of the account got past, if any."""
    item = _get(account_pk(account_id), CURSOR_SK)
    return item["activities_after"] if item else None


def put_cursor(account_id: str, after: str) -> None:
    _put(account_pk(account_id), CURSOR_SK, {"activities_after": after})


def delete_cursor(account_id: str) -> None:
    _delete(account_pk(account_id), CURSOR_SK)


def get_accounts_after() -> str | None:
    """The last account an unfinished scheduled pass finished, if any."""
    item = _get(SWEEP_PK, SWEEP_SK)
    return item["accounts_after"] if item else None


def put_accounts_after(account_id: str) -> None:
    _put(SWEEP_PK, SWEEP_SK, {"accounts_after": account_id})


def delete_accounts_after() -> None:
    _delete(SWEEP_PK, SWEEP_SK)
