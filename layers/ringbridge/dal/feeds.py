"""Change feeds: tombstones of deleted items, and pages of the change indexes.

Every tracked item carries ``CHG_SK = "<updated_at>#<id>"``: the ChangesIndex (partition
``CHG_PK``, one per account and kind) lists an account's changes of one kind in time order, and
the OwnerChangesIndex (partition ``OWNER_CHG_PK``) does the same for one user's contacts. A deleted
item leaves a tombstone in the same partitions, so one Query answers both updates and deletes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.table import account_pk, changes_pk, owner_changes_pk, to_item

if TYPE_CHECKING:
    from ringbridge.dal.items import StoredTombstone


def tombstone_sk(entity: str, item_id: str) -> str:
    return f"TOMBSTONE#{entity}#{item_id}"


def tombstone_put(
    account_id: str, entity: str, item_id: str, deleted_at: str, expires_at: int, owner_id: str | None = None
) -> dict:
    """A transaction item recording that ``item_id`` was deleted; DynamoDB's TTL removes it at ``expires_at``."""
    item: StoredTombstone = {
        "PK": account_pk(account_id),
        "SK": tombstone_sk(entity, item_id),
        "CHG_PK": changes_pk(account_id, entity),
        "CHG_SK": f"{deleted_at}#{item_id}",
        "OWNER_CHG_PK": owner_changes_pk(account_id, owner_id, entity) if owner_id else None,
        "id": item_id,
        "deleted_at": deleted_at,
        "expires_at": expires_at,
    }
    return {"Put": {"TableName": table.name(), "Item": to_item(item)}}


def owner_left_put(account_id: str, owner_id: str, contact_id: str, at: str, expires_at: int) -> dict:
    """A tombstone in the former owner's feed only: the contact is no longer theirs (it still exists)."""
    item: StoredTombstone = {
        "PK": account_pk(account_id),
        "SK": f"{tombstone_sk('CONTACT', contact_id)}#OWNER#{owner_id}",
        "OWNER_CHG_PK": owner_changes_pk(account_id, owner_id, "CONTACT"),
        "CHG_SK": f"{at}#{contact_id}",
        "id": contact_id,
        "deleted_at": at,
        "expires_at": expires_at,
    }
    return {"Put": {"TableName": table.name(), "Item": to_item(item)}}


# A plain class, not a dataclass: making a dataclass compiles its methods at import, about a millisecond of
# every cold start each (this module is on FindContact's path).
class Change:
    __slots__ = ("at", "deleted", "id")

    def __init__(self, id: str, at: str, deleted: bool) -> None:
        self.id = id
        self.at = at  # the item's updated_at (or deleted_at)
        self.deleted = deleted


class ChangesPage:
    __slots__ = ("changes", "last_chg_sk", "last_sk")

    def __init__(self, changes: list[Change], last_sk: str | None, last_chg_sk: str | None) -> None:
        self.changes = changes  # in time order
        self.last_sk = last_sk  # where the Query stopped (SK of the base item), when there is more
        self.last_chg_sk = last_chg_sk


def query_changes(
    account_id: str,
    entity: str,
    since_key: str,
    limit: int,
    start: tuple[str, str] | None,
    owner_id: str | None = None,
) -> ChangesPage:
    """One Query: changes with ``CHG_SK >= since_key``, after ``start`` (CHG_SK, SK) when continuing.

    Only the few attributes a feed needs are read back. The GSI is eventually consistent; the
    caller (logic.feeds) makes up for it.
    """
    if owner_id:
        index, pk_name, pk = table.OWNER_CHANGES_INDEX, "OWNER_CHG_PK", owner_changes_pk(account_id, owner_id, entity)
    else:
        index, pk_name, pk = table.CHANGES_INDEX, "CHG_PK", changes_pk(account_id, entity)
    request: dict[str, Any] = {
        "TableName": table.name(),
        "IndexName": index,
        "KeyConditionExpression": "#pk = :pk AND CHG_SK >= :since",
        "ExpressionAttributeNames": {"#pk": pk_name, "#id": "id"},
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":since": {"S": since_key}},
        "ProjectionExpression": "#id, CHG_SK, deleted_at",
        "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = {
            pk_name: {"S": pk},
            "CHG_SK": {"S": start[0]},
            "PK": {"S": account_pk(account_id)},
            "SK": {"S": start[1]},
        }
    answer = aws.dynamodb().query(**request)
    changes = [
        Change(id=item["id"]["S"], at=item["CHG_SK"]["S"].rsplit("#", 1)[0], deleted="deleted_at" in item)
        for item in answer["Items"]
    ]
    last = answer.get("LastEvaluatedKey")
    return ChangesPage(
        changes=changes,
        last_sk=last["SK"]["S"] if last else None,
        last_chg_sk=last["CHG_SK"]["S"] if last else None,
    )
