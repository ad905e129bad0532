"""Ringostat sync: an account's configuration and status, and the payloads Ringostat accepts.

The payload models follow the field table of Ringostat's "minicrm" sync API: every key is always
sent (``None`` where the table allows null), in the camelCase the API expects.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator

from ringbridge.models.common import StoredProblem

CONTACT_ID_PLACEHOLDER = "{id}"


class RingostatConfig(BaseModel):
    """What the admin sets per account (the auth key lives in SSM, never here)."""

    project_id: Annotated[int, Field(gt=0, description="The Ringostat project id (x-project-id)")]
    origin: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="The CRM name Ringostat shows next to the contact"
    )
    contact_link: str = Field(description="A link to a contact in the CRM; {id} is replaced by the contact id")
    updated_at: str | None = None

    @field_validator("contact_link")
    @classmethod
    def _link_template(cls, value: str) -> str:
        value = value.strip()
        if CONTACT_ID_PLACEHOLDER not in value:
            raise ValueError("must contain {id}, where the contact id goes")
        HttpUrl(value.replace(CONTACT_ID_PLACEHOLDER, "ID"))  # raises ValueError unless an http(s) URL
        return value

    def link_to(self, contact_id: str) -> str:
        return self.contact_link.replace(CONTACT_ID_PLACEHOLDER, contact_id)


class RingostatStatus(BaseModel):
    """Where an account's sync stands: watermarks (ChangesIndex sort keys) and the last outcome."""

    organizations_watermark: str | None = Field(default=None, description="Last organization change accepted")
    contacts_watermark: str | None = Field(default=None, description="Last contact change accepted")
    last_run_at: str | None = None
    last_sent_at: str | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    contacts_sent: int = 0
    organizations_sent: int = 0
    batches_failed: int = 0
    last_push_at: str | None = Field(default=None, description="Last time the stream push sent something")
    contacts_pushed: int = 0
    organizations_pushed: int = 0


class AccountSync(BaseModel):
    """One account's configuration and status, as ``ringbridge admin ringostat-status`` shows it."""

    account_id: str
    config: RingostatConfig | None
    status: RingostatStatus
    problem: StoredProblem = None


class AccountRunResult(BaseModel):
    account_id: str
    organizations_sent: int = 0
    contacts_sent: int = 0
    error: str | None = None


class SyncRunResult(BaseModel):
    """What one scheduled run did; ``stopped_early`` when the run's time budget ran out."""

    accounts: list[AccountRunResult] = []
    stopped_early: bool = False


class AccountPushResult(BaseModel):
    account_id: str
    organizations_sent: int = 0
    contacts_sent: int = 0
    error: str | None = None
    retry: bool = False  # the account's records are reported failed, for the stream to deliver again


class _Payload(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ContactDirection(_Payload):
    type: Literal["phone", "email"]
    name: str
    value: str


class OrganizationPayload(_Payload):
    project_id: int = Field(alias="projectId")
    name: str
    external_id: str = Field(alias="externalId")
    origin: str


class ContactPayload(_Payload):
    project_id: int = Field(alias="projectId")
    full_name: str = Field(alias="fullName")
    origin: str
    external_id: str = Field(alias="externalId")
    lead_id: None = Field(default=None, alias="leadId")
    responsible: str
    staff_id: None = Field(default=None, alias="staffId")
    contact_link: str | None = Field(alias="contactLink")
    lead_link: None = Field(default=None, alias="leadLink")
    deal_link: None = Field(default=None, alias="dealLink")
    google_client_id: None = Field(default=None, alias="googleClientId")
    contact_directions: list[ContactDirection] = Field(alias="contactDirections")
    organizations: list[OrganizationPayload] | None
