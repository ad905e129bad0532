"""Contacts: the people who call and are called."""

from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, Field, computed_field, model_validator

from ringbridge.models.common import BlankIsAbsent, Email, Id, Name, StrictInput

PhoneType = Literal["work", "home", "mobile", "fax", "other"]
MAX_PHONES = 20
MAX_EMAILS = 20


class PhoneInput(StrictInput):
    number: Annotated[str, Field(min_length=1, max_length=64, description="As typed; any common format")]
    type: PhoneType = "work"


class Phone(BaseModel):
    number: str = Field(description="The number as it was given, for display")
    type: PhoneType
    e164: str = Field(description="The normalized number used for matching")


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


DataRel = Literal["work", "home", "mobile", "fax", "pager", "other"]


class ContactDatum(BaseModel):
    """An IM, website or address of a contact: Ringio's ``data`` entries that are not phones or emails."""

    type: Literal["im", "website", "address"]
    value: str
    rel: DataRel


class Contact(BaseModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    organization_id: str | None = None
    owner_id: str | None = None
    phones: list[Phone] = []
    emails: list[str] = []
    version: int
    created_at: str
    updated_at: str
    # Set only through the Ringio API, which alone shows them: Ringotel answers stay as they were.
    hidden: bool = Field(default=False, exclude=True)
    groups: list[str] = Field(default=[], exclude=True)
    extra_data: list[ContactDatum] = Field(default=[], exclude=True)
    data_rels: dict[str, DataRel] = Field(default={}, exclude=True, description='Ringio rel by "<type>:<value>"')

    # Ringotel's response_map can pick list elements only by position, not by type, and an empty
    # list leaves its variable unmapped: these name what $phone$, $mobile$ and $email$ stand for.
    @computed_field(description="The first phone that is not a mobile (Ringotel's $phone$)")  # type: ignore[prop-decorator]
    @property
    def phone(self) -> str | None:
        return next((phone.number for phone in self.phones if phone.type != "mobile"), None)

    @computed_field(description="The first mobile phone (Ringotel's $mobile$)")  # type: ignore[prop-decorator]
    @property
    def mobile(self) -> str | None:
        return next((phone.number for phone in self.phones if phone.type == "mobile"), None)

    @computed_field(description="The first email (Ringotel's $email$)")  # type: ignore[prop-decorator]
    @property
    def email(self) -> str | None:
        return self.emails[0] if self.emails else None


class ContactPage(BaseModel):
    contacts: list[Contact]
    next: str | None


class ContactMatches(BaseModel):
    contacts: list[Contact]
