"""Ringio's contact and note shapes: resources wrapped in a root key (``{"contact": {...}}``) both ways.

Input models accept the read-only fields a client read earlier (``id``, ``last_updated``,
``date_created``) and ignore them, so a client may PUT back what it GOT; any other unknown field
is refused.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from ringbridge.models.common import Id, Name, StrictInput
from ringbridge.models.contact_input import ContactCreate, ContactUpdate
from ringbridge.models.contacts import ContactDatum, DataRel

DataType = Literal["email", "telephone", "im", "website", "address"]
Group = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MAX_DATA = 100
MAX_GROUPS = 50
MAX_NOTE_BODY = 65_536


class Datum(BaseModel):
    """One entry of a contact's ``data``: a phone, email, IM, website or address."""

    type: DataType
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    is_primary: bool = Field(default=False, description="On output: the first entry of its type")
    rel: DataRel = "work"


class _ReadOnly(StrictInput):
    id: str | None = Field(default=None, description="Ignored (read-only)")
    last_updated: str | None = Field(default=None, description="Ignored (read-only)")
    date_created: str | None = Field(default=None, description="Ignored (read-only)")


class ContactFields(_ReadOnly):
    """A contact as a client sends it. On PUT only the fields sent change; ``data`` is replaced whole."""

    name: Name | None = Field(default=None, description='"first last"; split at the first space')
    title: Name | None = None
    business: Name | None = Field(default=None, description="Links the contact to the organization of this name")
    owner_id: Id | None = Field(default=None, description="A user id")
    hidden: bool | None = Field(default=None, strict=True)
    groups: Annotated[list[Group], Field(max_length=MAX_GROUPS)] | None = None
    data: Annotated[list[Datum], Field(max_length=MAX_DATA)] | None = None
    version: int | None = Field(
        default=None, ge=1, strict=True, description="The version the client last saw (optimistic)"
    )


class ContactIn(StrictInput):
    contact: ContactFields


class RingioContact(BaseModel):
    id: str
    name: str
    title: str | None
    business: str | None
    owner_id: str | None
    hidden: bool
    groups: list[str]
    data: list[Datum]
    version: int = Field(description="Send it back on PUT (or as If-Match) to refuse overwriting a newer contact")
    last_updated: str
    date_created: str


class ContactOut(BaseModel):
    contact: RingioContact


class RingioFields(StrictInput):
    """The contact fields only the Ringio API writes (Ringotel's hooks neither accept nor show them)."""

    hidden: bool | None = Field(default=None, strict=True)
    groups: list[str] | None = None
    extra_data: list[ContactDatum] | None = None
    data_rels: dict[str, DataRel] | None = None


class ContactCreateFull(ContactCreate, RingioFields):
    """What a Ringio create hands to the shared contact logic."""


class ContactUpdateFull(ContactUpdate, RingioFields):
    """What a Ringio update hands to the shared contact logic."""


class NoteFields(_ReadOnly):
    contact_id: Id | None = Field(default=None, description="Required on create")
    author_id: Id | None = Field(default=None, description="A user id")
    body: Annotated[str, StringConstraints(max_length=MAX_NOTE_BODY)] | None = Field(
        default=None, description="Required on create"
    )
    version: int | None = Field(
        default=None, ge=1, strict=True, description="The version the client last saw (optimistic)"
    )


class NoteIn(StrictInput):
    note: NoteFields


class RingioNote(BaseModel):
    id: str
    contact_id: str
    author_id: str | None
    body: str
    version: int
    last_updated: str
    date_created: str


class NoteOut(BaseModel):
    note: RingioNote
