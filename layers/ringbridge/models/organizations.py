"""Organizations (companies) that contacts belong to."""

from pydantic import BaseModel


class Organization(BaseModel):
    id: str
    name: str
    created_at: str
    updated_at: str


class OrganizationPage(BaseModel):
    organizations: list[Organization]
    next: str | None
