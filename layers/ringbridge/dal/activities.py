"""Call activities and their per-call copies.

    PK            SK                  what
    ACCOUNT#<a>   ACTIVITY#<id>       the activity (CHG_PK/CHG_SK: in the ChangesIndex feed)
    ACCOUNT#<a>   CALL#<call id>      a full copy of the same activity, keyed by Ringotel's call id

Both items are written in one transaction, the copy with ``attribute_not_exists`` when new: that
conditional put is what makes a call id unique per account, also under concurrent retries. The
copy (rather than a pointer) lets a hook name the activity by either id and still read it in one
BatchGetItem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

from ringbridge import aws
from ringbridge.dal import pagination, table
from ringbridge.dal.contacts import contact_sk
from ringbridge.dal.table import account_pk, changes_pk, from_item, key, strip_keys, to_item

if TYPE_CHECKING:
    from ringbridge.dal.items import ActivityItem, ActivityReads, CallCopy, StoredActivity

ACTIVITY_PREFIX: Final = "ACTIVITY#"


def activity_sk(activity_id: str) -> str:
    return f"{ACTIVITY_PREFIX}{activity_id}"


def call_sk(call_id: str) -> str:
    return f"CALL#{call_id}"


def get_activity(account_id: str, activity_id: str) -> ActivityItem | None:
    """The activity with this id (not a call id), strongly consistent; None if absent."""
    return _get(account_id, activity_sk(activity_id))


def get_by_call(account_id: str, call_id: str) -> ActivityItem | None:
    return _get(account_id, call_sk(call_id))


def _get(account_id: str, sort_key: str) -> ActivityItem | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), sort_key), ConsistentRead=True
    )
    return cast("ActivityItem", strip_keys(from_item(answer["Item"]))) if "Item" in answer else None


def list_activities(account_id: str, limit: int, cursor: str | None) -> tuple[list[ActivityItem], str | None]:
    """One page of the account's activities, oldest first (ids are ULIDs)."""
    items, next_cursor = pagination.query_page(
        aws.dynamodb(), table.name(), account_pk(account_id), ACTIVITY_PREFIX, limit, cursor
    )
    return [cast("ActivityItem", strip_keys(from_item(item))) for item in items], next_cursor


def read_for_write(account_id: str, reference: str, contact_id: str | None = None) -> ActivityReads:
    """The activity named by its id or its call id, and optionally a contact: one BatchGetItem.

    The activity id wins if both ids exist.
    """
    wanted = [activity_sk(reference), call_sk(reference)]
    if contact_id:
        wanted.append(contact_sk(contact_id))
    by_sk = table.get_items(account_id, wanted)
    activity = by_sk.get(activity_sk(reference)) or by_sk.get(call_sk(reference))
    return cast(
        "ActivityReads", {"activity": activity, "contact": by_sk.get(contact_sk(contact_id)) if contact_id else None}
    )


def activity_puts(account_id: str, activity: ActivityItem, expected_version: int | None) -> list[dict]:
    """Transaction items writing the activity and its call copy; new, or only over ``expected_version``."""
    condition: dict[str, Any]
    if expected_version is None:
        condition = {"ConditionExpression": "attribute_not_exists(PK)"}
    else:
        condition = {
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
        }
    main: StoredActivity = {
        "PK": account_pk(account_id),
        "SK": activity_sk(activity["id"]),
        "CHG_PK": changes_pk(account_id, "ACTIVITY"),
        "CHG_SK": f"{activity['updated_at']}#{activity['id']}",
        **activity,
    }
    copy: CallCopy = {"PK": account_pk(account_id), "SK": call_sk(activity["call_id"]), **activity}
    # The call copy comes first: a cancelled new write then reports the taken call id at index 0.
    return [
        {"Put": {"TableName": table.name(), "Item": to_item(copy), **condition}},
        {"Put": {"TableName": table.name(), "Item": to_item(main), **condition}},
    ]
