"""Contacts, their per-number copies, organizations and idempotency records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from ringbridge import aws
from ringbridge.dal import pagination, table
from ringbridge.dal.accounts import user_sk
from ringbridge.dal.table import (
    account_pk,
    changes_pk,
    from_item,
    key,
    owner_changes_pk,
    phone_pk,
    strip_keys,
    to_item,
)

if TYPE_CHECKING:
    from ringbridge.dal.items import (
        ContactItem,
        ContactReads,
        IdempotencyRecord,
        OrganizationItem,
        PhoneCopy,
        StoredContact,
        StoredOrganization,
        StoredOrganizationName,
    )

MAX_MATCHES = 50


def contact_sk(contact_id: str) -> str:
    return f"CONTACT#{contact_id}"


def org_sk(org_id: str) -> str:
    return f"ORG#{org_id}"


def org_name_sk(name: str) -> str:
    return f"ORGNAME#{' '.join(name.split()).casefold()}"


def idempotency_sk(operation: str, idempotency_key: str) -> str:
    return f"IDEMPOTENCY#{operation}#{idempotency_key}"


def read_for_write(
    account_id: str, contact_id: str | None, owner_id: str | None, company_name: str | None
) -> ContactReads:
    """The items a contact write depends on, in one strongly consistent round trip (None where absent or
    not asked)."""
    reads = table.get_named(
        account_id,
        {
            "contact": contact_sk(contact_id) if contact_id else None,
            "owner": user_sk(owner_id) if owner_id else None,
            "organization_name": org_name_sk(company_name) if company_name else None,
        },
    )
    return cast("ContactReads", reads)


def contact_puts(account_id: str, contact: ContactItem, expected_version: int | None) -> list[dict]:
    """Transaction items that write the contact and one copy per distinct number."""
    item: StoredContact = {
        "PK": account_pk(account_id),
        "SK": contact_sk(contact["id"]),
        "CHG_PK": changes_pk(account_id, "CONTACT"),
        "CHG_SK": f"{contact['updated_at']}#{contact['id']}",
        "OWNER_CHG_PK": owner_changes_pk(account_id, owner, "CONTACT") if (owner := contact.get("owner_id")) else None,
        **contact,
    }
    put: dict[str, Any] = {"TableName": table.name(), "Item": to_item(item)}
    if expected_version is None:
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        put["ConditionExpression"] = "version = :expected"
        put["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
    writes = [{"Put": put}]
    for e164 in sorted({phone["e164"] for phone in contact["phones"]}):
        copy: PhoneCopy = {"PK": phone_pk(account_id, e164), "SK": contact_sk(contact["id"]), **contact}
        writes.append({"Put": {"TableName": table.name(), "Item": to_item(copy)}})
    return writes


def contact_deletes(account_id: str, contact: ContactItem) -> list[dict]:
    """Transaction items removing the contact (only at the version read) and its number copies."""
    delete = {
        "TableName": table.name(),
        "Key": key(account_pk(account_id), contact_sk(contact["id"])),
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(contact["version"])}},
    }
    numbers = {phone["e164"] for phone in contact["phones"]}
    return [{"Delete": delete}, *phone_copy_deletes(account_id, contact["id"], numbers)]


def get_contact(account_id: str, contact_id: str) -> ContactItem | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(), Key=key(account_pk(account_id), contact_sk(contact_id)), ConsistentRead=True
    )
    return cast("ContactItem", strip_keys(from_item(answer["Item"]))) if "Item" in answer else None


def phone_copy_deletes(account_id: str, contact_id: str, numbers: set[str]) -> list[dict]:
    return [
        {"Delete": {"TableName": table.name(), "Key": key(phone_pk(account_id, e164), contact_sk(contact_id))}}
        for e164 in sorted(numbers)
    ]


def organization_puts(account_id: str, organization: OrganizationItem) -> list[dict]:
    """A new organization and its unique-name item; the name item fails if the name is taken."""
    org_item: StoredOrganization = {
        "PK": account_pk(account_id),
        "SK": org_sk(organization["id"]),
        "CHG_PK": changes_pk(account_id, "ORGANIZATION"),
        "CHG_SK": f"{organization['updated_at']}#{organization['id']}",
        **organization,
    }
    name_item: StoredOrganizationName = {
        "PK": account_pk(account_id),
        "SK": org_name_sk(organization["name"]),
        "organization_id": organization["id"],
    }
    return [
        {
            "Put": {
                "TableName": table.name(),
                "Item": to_item(org_item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        {
            "Put": {
                "TableName": table.name(),
                "Item": to_item(name_item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
    ]


def idempotency_put(account_id: str, operation: str, idempotency_key: str, record: IdempotencyRecord) -> dict:
    item = {"PK": account_pk(account_id), "SK": idempotency_sk(operation, idempotency_key), **record}
    return {
        "Put": {"TableName": table.name(), "Item": to_item(item), "ConditionExpression": "attribute_not_exists(PK)"}
    }


def get_idempotency_record(account_id: str, operation: str, idempotency_key: str) -> IdempotencyRecord | None:
    answer = aws.dynamodb().get_item(
        TableName=table.name(),
        Key=key(account_pk(account_id), idempotency_sk(operation, idempotency_key)),
        ConsistentRead=True,
    )
    return cast("IdempotencyRecord", strip_keys(from_item(answer["Item"]))) if "Item" in answer else None


def find_by_phone(account_id: str, e164: str) -> list[ContactItem]:
    """The contacts with this number, most recently updated first: one strongly consistent Query.

    Past MAX_MATCHES contacts on one number, the ones created last (the copies' keys are the
    contacts' ULIDs, in order of creation).
    """
    answer = aws.dynamodb().query(
        TableName=table.name(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": phone_pk(account_id, e164)}},
        ConsistentRead=True,
        ScanIndexForward=False,
        Limit=MAX_MATCHES,
    )
    matches = [cast("ContactItem", strip_keys(from_item(item))) for item in answer["Items"]]
    return sorted(matches, key=lambda contact: contact["updated_at"], reverse=True)


# Untyped items: the sort key's prefix names their kind (table.py). Not @overload per prefix: mutmut's
# trampolines leave an overloaded function without its implementation, which mypy refuses.
def list_page(account_id: str, prefix: str, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """One page of the account's items of one kind, in sort key order."""
    items, next_cursor = pagination.query_page(
        aws.dynamodb(), table.name(), account_pk(account_id), prefix, limit, cursor
    )
    return [strip_keys(from_item(item)) for item in items], next_cursor


def iter_all(account_id: str, prefix: str, cursor: str | None) -> Iterator[tuple[Any, str]]:
    """Every item of one kind after ``cursor``, with the cursor that resumes after it (a Query loop)."""
    for item, sort_key in pagination.query_all(aws.dynamodb(), table.name(), account_pk(account_id), prefix, cursor):
        yield strip_keys(from_item(item)), pagination.encode(sort_key)
