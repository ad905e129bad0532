"""Contacts as clients send them: write-side models, which the read-only functions never load."""

from collections.abc import Mapping
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from ringbridge.models.common import BlankIsAbsent, Email, Id, Name, StrictInput
from ringbridge.models.contacts import PhoneType

MAX_PHONES = 20
MAX_EMAILS = 20


class PhoneInput(StrictInput):
    number: Annotated[str, Field(min_length=1, max_length=64, description="As typed; any common format")]
    type: PhoneType = "work"


class ContactInput(StrictInput):
    """Fields a client may set. On update every field is optional (a partial update)."""

    first_name: Name | None = None
    last_name: Name | None = None
    job_title: Name | None = None
    company_name: Name | None = Field(default=None, description="Links the contact to the organization of this name")
    owner_id: Id | None = Field(default=None, description="A CRM user id")
    phones: Annotated[list[PhoneInput], Field(max_length=MAX_PHONES)] | None = None
    emails: Annotated[list[Email], Field(max_length=MAX_EMAILS)] | None = None


class ContactCreate(ContactInput):
    @model_validator(mode="after")
    def _named(self) -> Self:
        if not (self.first_name or self.last_name):
            raise ValueError("first_name or last_name is required")
        return self


class ContactUpdate(ContactInput):
    version: int | None = Field(
        default=None, ge=1, strict=True, description="The version the client last saw (optimistic concurrency)"
    )


class RingotelContactCreate(BlankIsAbsent, ContactCreate):
    """CreateContact as Ringotel posts it: a blank value (an unset variable) counts as absent.

    Ringotel may save an unknown caller with only a number, so any one of a name, company,
    phone or email is enough.
    """

    blank_elements: ClassVar[Mapping[str, str]] = {"phones": "number"}

    @model_validator(mode="after")
    def _named(self) -> Self:
        if not (self.first_name or self.last_name or self.company_name or self.phones or self.emails):
            raise ValueError("one of first_name, last_name, company_name, phones or emails is required")
        return self


class RingotelContactUpdate(BlankIsAbsent, ContactUpdate):
    """UpdateContact as Ringotel posts it: a blank value leaves the field as it is (send null to clear it)."""

    blank_elements: ClassVar[Mapping[str, str]] = {"phones": "number"}
