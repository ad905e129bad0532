"""Contacts: the people who call and are called, as we answer them (what clients send: contact_input)."""

from typing import Literal

from pydantic import BaseModel, Field, computed_field

PhoneType = Literal["work", "home", "mobile", "fax", "other"]


class Phone(BaseModel):
    number: str = Field(description="The number as it was given, for display")
    type: PhoneType
    e164: str = Field(description="The normalized number used for matching")


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
