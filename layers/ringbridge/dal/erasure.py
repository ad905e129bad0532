"""What erasing a contact reads and deletes beyond the contact's own writes (see logic.erasure).

PK            SK              what
ACCOUNT#<a>   ERASURE#<c>     where an erasure's pass over the activities got (a cursor; no personal data)
"""

from collections.abc import Iterator

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.pagination import query_pages
from ringbridge.dal.table import account_pk, from_item, key, to_item

IDEMPOTENCY_PREFIX = "IDEMPOTENCY#"


def idempotency_records_of(account_id: str, contact_id: str) -> Iterator[str]:
    """Sort keys of the idempotency records whose stored answer is this contact (a Query, filtered)."""
    request = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": "#response.#id = :contact",
        "ExpressionAttributeNames": {"#response": "response", "#id": "id"},
        "ExpressionAttributeValues": {
            ":pk": {"S": account_pk(account_id)},
            ":prefix": {"S": IDEMPOTENCY_PREFIX},
            ":contact": {"S": contact_id},
        },
        "ProjectionExpression": "SK",
        "ConsistentRead": True,
    }
    for page in query_pages(aws.dynamodb(), request):
        yield from (item["SK"]["S"] for item in page)


def delete_item(account_id: str, sort_key: str) -> None:
    aws.dynamodb().delete_item(TableName=table.name(), Key=key(account_pk(account_id), sort_key))


def progress_sk(contact_id: str) -> str:
    return f"ERASURE#{contact_id}"


def get_activities_cursor(account_id: str, contact_id: str) -> str | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), progress_sk(contact_id)), ConsistentRead=True
    )
    cursor: str | None = from_item(answer["Item"]).get("activities_after") if "Item" in answer else None
    return cursor


def put_activities_cursor(account_id: str, contact_id: str, cursor: str) -> None:
    item = {"PK": account_pk(account_id), "SK": progress_sk(contact_id), "activities_after": cursor}
    aws.dynamodb().put_item(TableName=table.name(), Item=to_item(item))


def progress_delete(account_id: str, contact_id: str) -> dict:
    """A transaction item removing the erasure's progress (with the contact: the erasure is over)."""
    return {"Delete": {"TableName": table.name(), "Key": key(account_pk(account_id), progress_sk(contact_id))}}
