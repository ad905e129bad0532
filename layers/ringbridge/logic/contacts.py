"""Contacts: create, update, find by phone, list; and organizations, found or made by name."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from ringbridge import clock, ids, phones, settings
from ringbridge.account_scope import AccountScope
from ringbridge.dal import contacts as dal
from ringbridge.dal import feeds as feeds_dal
from ringbridge.dal.table import TransactionCancelled, transact
from ringbridge.errors import Conflict, InvalidInput, NotFound
from ringbridge.logic import etags
from ringbridge.models.contacts import Contact, ContactPage
from ringbridge.models.organizations import Organization, OrganizationPage
from ringbridge.retry import until_written

if TYPE_CHECKING:  # annotations only: FindContact and the lists never load the write-side models
    from ringbridge.dal.items import (
        ContactItem,
        ContactReads,
        IdempotencyRecord,
        OrganizationItem,
        OrganizationNameItem,
    )
    from ringbridge.models.contact_input import ContactCreate, ContactInput, ContactUpdate, PhoneInput

IDEMPOTENCY_TTL_SECONDS = 24 * 3600


def find_contacts_by_phone(scope: AccountScope, phone: str) -> list[Contact]:
    """Contacts with this number, most recently updated first."""
    e164 = phones.to_e164(phone, scope.region, field="phone")
    return [Contact(**contact) for contact in dal.find_by_phone(scope.account_id, e164)]


def list_contacts(scope: AccountScope, limit: int, cursor: str | None) -> ContactPage:
    items, next_cursor = dal.list_page(scope.account_id, "CONTACT#", limit, cursor)
    return ContactPage(contacts=[Contact(**item) for item in items], next=next_cursor)


def list_organizations(scope: AccountScope, limit: int, cursor: str | None) -> OrganizationPage:
    items, next_cursor = dal.list_page(scope.account_id, "ORG#", limit, cursor)
    return OrganizationPage(organizations=[Organization(**item) for item in items], next=next_cursor)


def iter_contacts(scope: AccountScope, cursor: str | None) -> Iterator[tuple[str, str]]:
    """Every contact after ``cursor`` as JSON text, with the cursor that resumes after it; read lazily."""
    for item, next_cursor in dal.iter_all(scope.account_id, "CONTACT#", cursor):
        yield Contact(**item).model_dump_json(), next_cursor


def iter_organizations(scope: AccountScope, cursor: str | None) -> Iterator[tuple[str, str]]:
    """Every organization after ``cursor`` as JSON text, with the cursor that resumes after it; read lazily."""
    for item, next_cursor in dal.iter_all(scope.account_id, "ORG#", cursor):
        yield Organization(**item).model_dump_json(), next_cursor


def create_contact(scope: AccountScope, data: ContactCreate, idempotency_key: str | None = None) -> Contact:
    """Create a contact; with an idempotency key, a retry answers the first contact created."""
    request_hash = hashlib.sha256(data.model_dump_json().encode()).hexdigest()

    def attempt() -> Contact:
        deps = dal.read_for_write(scope.account_id, None, data.owner_id, data.company_name)
        _check_owner(data, deps)
        now = clock.now_iso()
        fields = _fields(data, scope.region)
        contact = cast(
            "ContactItem", {"id": ids.new_id(), **fields, "version": 1, "created_at": now, "updated_at": now}
        )
        writes = _link_organization(scope.account_id, contact, deps["organization_name"], now)
        writes += dal.contact_puts(scope.account_id, contact, expected_version=None)
        if idempotency_key:
            record: IdempotencyRecord = {
                "request_hash": request_hash,
                "response": contact,
                "expires_at": int(clock.now().timestamp()) + IDEMPOTENCY_TTL_SECONDS,
            }
            writes.append(dal.idempotency_put(scope.account_id, "CreateContact", idempotency_key, record))
        try:
            transact(writes)
        except TransactionCancelled as cancelled:
            if idempotency_key and cancelled.reasons[-1] == "ConditionalCheckFailed":
                return _replay(scope, idempotency_key, request_hash)
            raise  # another request created the same organization name first: read again
        return Contact(**contact)

    conflict = Conflict("the contact could not be written because of concurrent changes; retry")
    return until_written(attempt, lost_race=TransactionCancelled, conflict=conflict)


def _replay(scope: AccountScope, idempotency_key: str, request_hash: str) -> Contact:
    record = dal.get_idempotency_record(scope.account_id, "CreateContact", idempotency_key)
    if record is None:  # expired between the two calls
        raise Conflict("idempotency key expired while in use; retry", field="Idempotency-Key")
    if record["request_hash"] != request_hash:
        raise InvalidInput("was already used with a different request body", field="Idempotency-Key")
    return Contact(**record["response"])


def update_contact(scope: AccountScope, contact_id: str, data: ContactUpdate, if_match: str | None = None) -> Contact:
    """Partial update with optimistic concurrency: a stale version answers 409 with the current contact."""
    changes = data.model_dump(exclude_unset=True)
    expected = changes.pop("version", None)
    if expected is None and if_match:
        expected = etags.from_etag(if_match, "contact")
    company = changes.get("company_name")

    def attempt() -> Contact:
        deps = dal.read_for_write(scope.account_id, contact_id, changes.get("owner_id"), company)
        current = deps["contact"]
        if current is None:
            raise NotFound("no such contact", field="id")
        etags.check(expected, Contact(**current), "contact")
        _check_owner(data, deps)
        now = clock.now_iso()
        fields = _fields(data, scope.region, only=changes.keys())
        updated = cast("ContactItem", {**current, **fields, "version": current["version"] + 1, "updated_at": now})
        writes: list[dict] = []
        if "company_name" in changes:
            updated["organization_id"] = None
            writes += _link_organization(scope.account_id, updated, deps["organization_name"], now)
        writes += dal.contact_puts(scope.account_id, updated, expected_version=current["version"])
        gone = {p["e164"] for p in current["phones"]} - {p["e164"] for p in updated["phones"]}
        writes += dal.phone_copy_deletes(scope.account_id, contact_id, gone)
        if (owner := current.get("owner_id")) and owner != updated.get("owner_id"):
            # The former owner's feed must report the contact as gone from their list.
            writes.append(feeds_dal.owner_left_put(scope.account_id, owner, contact_id, now, tombstone_expiry()))
        transact(writes)
        return Contact(**updated)

    # After a lost race the contact is read again: a version changed meanwhile answers 409 from etags.check.
    conflict = Conflict("the contact changed concurrently; retry")
    return until_written(attempt, lost_race=TransactionCancelled, conflict=conflict)


def get_contact(scope: AccountScope, contact_id: str) -> Contact:
    found = dal.get_contact(scope.account_id, contact_id)
    if found is None:
        raise NotFound("no such contact", field="id")
    return Contact(**found)


def delete_contact(scope: AccountScope, contact_id: str, if_match: str | None = None) -> None:
    """Delete the contact and its number copies, leaving a tombstone for the feeds, in one transaction."""
    expected = etags.from_etag(if_match, "contact") if if_match else None

    def attempt() -> None:
        current = dal.get_contact(scope.account_id, contact_id)
        if current is None:
            raise NotFound("no such contact", field="id")
        etags.check(expected, Contact(**current), "contact", field="If-Match")
        tombstone = feeds_dal.tombstone_put(
            scope.account_id, "CONTACT", contact_id, clock.now_iso(), tombstone_expiry(), current.get("owner_id")
        )
        transact([*dal.contact_deletes(scope.account_id, current), tombstone])

    until_written(attempt, lost_race=TransactionCancelled, conflict=Conflict("the contact changed concurrently; retry"))


def tombstone_expiry() -> int:
    """The TTL (epoch seconds) of a tombstone written now."""
    return int(clock.now().timestamp()) + settings.current().tombstone_retention_seconds


def _fields(data: ContactInput, region: str, only: Any = None) -> dict[str, Any]:
    """The stored form of the given fields: phones normalized, lists never null."""
    values = data.model_dump(exclude={"version"})
    if only is not None:
        values = {name: value for name, value in values.items() if name in only}
    if "phones" in values:
        values["phones"] = _normalize_phones(data.phones or [], region)
    if "emails" in values:
        values["emails"] = values["emails"] or []
    return values


def _normalize_phones(numbers: list[PhoneInput], region: str) -> list[dict[str, str]]:
    return [
        {
            "number": phone.number.strip(),
            "type": phone.type,
            "e164": phones.to_e164(phone.number, region, field=f"phones.{index}.number"),
        }
        for index, phone in enumerate(numbers)
    ]


def _check_owner(data: ContactInput, deps: ContactReads) -> None:
    if data.owner_id and deps["owner"] is None:
        raise InvalidInput("is not a user of this account", field="owner_id")


def _link_organization(
    account_id: str, contact: ContactItem, name_item: OrganizationNameItem | None, now: str
) -> list[dict]:
    """Point the contact at the organization named by its company_name, creating it if new."""
    name = contact.get("company_name")
    contact.setdefault("organization_id", None)
    if not name:
        return []
    if name_item:
        contact["organization_id"] = name_item["organization_id"]
        return []
    organization: OrganizationItem = {"id": ids.new_id(), "name": name, "created_at": now, "updated_at": now}
    contact["organization_id"] = organization["id"]
    return dal.organization_puts(account_id, organization)
