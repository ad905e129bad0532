"""Ringio's contacts and notes over the shared data (rings, users, accounts: logic.ringio_read).

A Ringio contact is the same contact the Ringotel hooks see: writes go through logic.contacts, so
phone copies, organizations and versions stay as consistent as with Ringotel's own hooks.

- ``name`` is ``"<first_name> <last_name>"``; on write it is split at the first space (a single
  word is a first name), so a name round-trips unchanged.
- ``data`` carries telephones (our phones, normalized to E.164; the text is kept as given),
  emails, and IMs, websites and addresses (kept as extra data). The primary entry of a type is
  stored first; on output the first entry of each type is the primary one. A phone's ``rel`` is
  its type (``pager``, which Ringotel has no type for, is stored as ``other`` and remembered).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ringbridge import phones
from ringbridge.account_scope import AccountScope
from ringbridge.dal import contacts as contacts_dal
from ringbridge.errors import Conflict, InvalidInput
from ringbridge.logic import contacts, notes
from ringbridge.models import ringio
from ringbridge.models.common import Email
from ringbridge.models.contact_input import MAX_EMAILS, MAX_PHONES, PhoneInput
from ringbridge.models.contacts import Contact, ContactDatum
from ringbridge.models.notes import Note, NoteCreate, NoteUpdate

_PHONE_TYPES = ("work", "home", "mobile", "fax", "other")
_EMAIL = TypeAdapter(Email)


@contextmanager
def _fields_under(root: str) -> Iterator[None]:
    """Name fields as the client wrote them (``contact.owner_id``), and show a note's conflict in Ringio's shape."""
    try:
        yield
    except (InvalidInput, Conflict) as error:
        if error.field and error.field != "If-Match" and not error.field.startswith(f"{root}."):
            error.field = f"{root}.{error.field}"
        if isinstance(error, Conflict) and isinstance(error.details, dict) and "note" in error.details:
            error.details = {"note": note_out(Note(**error.details["note"])).note.model_dump()}
        raise


@contextmanager
def _current_contact_on_conflict(scope: AccountScope, contact_id: str) -> Iterator[None]:
    """A 409 answers the current contact in Ringio's shape, Ringio-only fields included (read again)."""
    try:
        yield
    except Conflict as conflict:
        current = contacts_dal.get_contact(scope.account_id, contact_id)
        if current is not None:
            conflict.details = {"contact": contact_out(Contact(**current)).contact.model_dump()}
        raise


# --- contacts -----------------------------------------------------------------------------


def contact_out(contact: Contact) -> ringio.ContactOut:
    data: list[ringio.Datum] = []
    for index, phone in enumerate(contact.phones):
        rel = contact.data_rels.get(f"telephone:{phone.number}")
        if rel is None or _phone_type(rel) != phone.type:  # changed since through Ringotel
            rel = phone.type
        data.append(ringio.Datum(type="telephone", value=phone.number, is_primary=index == 0, rel=rel))
    for index, email in enumerate(contact.emails):
        rel = contact.data_rels.get(f"email:{email}", "work")
        data.append(ringio.Datum(type="email", value=email, is_primary=index == 0, rel=rel))
    seen: set[str] = set()
    for extra in contact.extra_data:
        data.append(ringio.Datum(type=extra.type, value=extra.value, is_primary=extra.type not in seen, rel=extra.rel))
        seen.add(extra.type)
    return ringio.ContactOut(
        contact=ringio.RingioContact(
            id=contact.id,
            name=" ".join(part for part in (contact.first_name, contact.last_name) if part),
            title=contact.job_title,
            business=contact.company_name,
            owner_id=contact.owner_id,
            hidden=contact.hidden,
            groups=contact.groups,
            data=data,
            version=contact.version,
            last_updated=contact.updated_at,
            date_created=contact.created_at,
        )
    )


def _contact_fields(fields: ringio.ContactFields, region: str) -> dict[str, Any]:
    """Our contact's fields from the Ringio fields that were sent."""
    sent = fields.model_fields_set
    values: dict[str, Any] = {}
    if "name" in sent:
        first, _, last = (fields.name or "").partition(" ")
        if not first:
            raise InvalidInput("must not be empty", field="contact.name")
        values.update(first_name=first, last_name=last.strip() or None)
    if "title" in sent:
        values["job_title"] = fields.title
    if "business" in sent:
        values["company_name"] = fields.business
    if "owner_id" in sent:
        values["owner_id"] = fields.owner_id
    if "hidden" in sent:
        values["hidden"] = bool(fields.hidden)
    if "groups" in sent:
        values["groups"] = fields.groups or []
    if "data" in sent:
        values.update(_split_data(fields.data or [], region))
    return values


def _split_data(data: list[ringio.Datum], region: str) -> dict[str, Any]:
    """Ringio's data list -> phones, emails, extra data and remembered rels; primary entries first."""
    ordered = sorted(enumerate(data), key=lambda pair: not pair[1].is_primary)  # stable: keeps the given order
    found_phones: list[PhoneInput] = []
    emails: list[str] = []
    extra: list[ContactDatum] = []
    rels: dict[str, str] = {}
    for index, datum in ordered:
        field = f"contact.data.{index}.value"
        if datum.type == "telephone":
            phones.to_e164(datum.value, region, field=field)  # refuse it here, under the client's field name
            found_phones.append(PhoneInput(number=datum.value, type=_phone_type(datum.rel)))
            rels[f"telephone:{datum.value}"] = datum.rel
        elif datum.type == "email":
            try:
                address = _EMAIL.validate_python(datum.value)
            except ValidationError:
                raise InvalidInput("is not an email address", field=field) from None
            emails.append(address)
            rels[f"email:{address}"] = datum.rel
        else:
            extra.append(ContactDatum(type=datum.type, value=datum.value, rel=datum.rel))
    if len(found_phones) > MAX_PHONES:
        raise InvalidInput(f"at most {MAX_PHONES} telephones", field="contact.data")
    if len(emails) > MAX_EMAILS:
        raise InvalidInput(f"at most {MAX_EMAILS} emails", field="contact.data")
    return {"phones": found_phones, "emails": emails, "extra_data": extra, "data_rels": rels}


def _phone_type(rel: str) -> str:
    return rel if rel in _PHONE_TYPES else "other"


def create_contact(scope: AccountScope, fields: ringio.ContactFields) -> ringio.ContactOut:
    if not fields.name:
        raise InvalidInput("is required", field="contact.name")
    with _fields_under("contact"):
        defaults = {"hidden": False, "groups": [], "extra_data": [], "data_rels": {}}
        data = ringio.ContactCreateFull(**{**defaults, **_contact_fields(fields, scope.region)})
        return contact_out(contacts.create_contact(scope, data))


def update_contact(
    scope: AccountScope, contact_id: str, fields: ringio.ContactFields, if_match: str | None
) -> ringio.ContactOut:
    values = _contact_fields(fields, scope.region)
    if fields.version is not None:
        values["version"] = fields.version
    with _fields_under("contact"), _current_contact_on_conflict(scope, contact_id):
        data = ringio.ContactUpdateFull(**values)
        return contact_out(contacts.update_contact(scope, contact_id, data, if_match))


def get_contact(scope: AccountScope, contact_id: str) -> ringio.ContactOut:
    return contact_out(contacts.get_contact(scope, contact_id))


def delete_contact(scope: AccountScope, contact_id: str, if_match: str | None) -> None:
    with _fields_under("contact"), _current_contact_on_conflict(scope, contact_id):
        contacts.delete_contact(scope, contact_id, if_match)


def list_contacts(scope: AccountScope, limit: int, cursor: str | None) -> tuple[list[ringio.ContactOut], str | None]:
    page = contacts.list_contacts(scope, limit, cursor)
    return [contact_out(contact) for contact in page.contacts], page.next


# --- notes --------------------------------------------------------------------------------


def note_out(note: Note) -> ringio.NoteOut:
    return ringio.NoteOut(
        note=ringio.RingioNote(
            id=note.id,
            contact_id=note.contact_id,
            author_id=note.author_id,
            body=note.body,
            version=note.version,
            last_updated=note.updated_at,
            date_created=note.created_at,
        )
    )


def create_note(scope: AccountScope, fields: ringio.NoteFields) -> ringio.NoteOut:
    for name in ("contact_id", "body"):
        if getattr(fields, name) is None:
            raise InvalidInput("is required", field=f"note.{name}")
    with _fields_under("note"):
        data = NoteCreate(**fields.model_dump(include={"contact_id", "author_id", "body"}))
        return note_out(notes.create_note(scope, data))


def update_note(scope: AccountScope, note_id: str, fields: ringio.NoteFields, if_match: str | None) -> ringio.NoteOut:
    sent = fields.model_fields_set & {"contact_id", "author_id", "body", "version"}
    for name in ("contact_id", "body"):
        if name in sent and getattr(fields, name) is None:
            raise InvalidInput("must not be null", field=f"note.{name}")
    with _fields_under("note"):
        data = NoteUpdate(**fields.model_dump(include=sent))
        return note_out(notes.update_note(scope, note_id, data, if_match))


def get_note(scope: AccountScope, note_id: str) -> ringio.NoteOut:
    return note_out(notes.get_note(scope, note_id))


def delete_note(scope: AccountScope, note_id: str, if_match: str | None) -> None:
    with _fields_under("note"):
        notes.delete_note(scope, note_id, if_match)


def list_notes(
    scope: AccountScope, contact_id: str | None, limit: int, cursor: str | None
) -> tuple[list[ringio.NoteOut], str | None]:
    found, next_cursor = notes.list_notes(scope, contact_id, limit, cursor)
    return [note_out(note) for note in found], next_cursor
