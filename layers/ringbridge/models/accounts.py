"""Accounts and their CRM users."""

from typing import Literal

from pydantic import BaseModel, computed_field

Scope = Literal["ro", "rw"]


class Account(BaseModel):
    id: str
    name: str
    region: str
    created_at: str


class User(BaseModel):
    id: str
    name: str
    email: str | None = None
    extension: str | None = None
    phone: str | None = None
    created_at: str
    updated_at: str

    # Ringotel maps a first and a last name; a user has one name: its first word, and the rest
    # (so "Anna Maria" splits wrong but "Ludwig van Beethoven" does not).
    @computed_field(description="The name's first word")  # type: ignore[misc]
    @property
    def first_name(self) -> str:
        return self.name.split(maxsplit=1)[0] if self.name.split() else ""

    @computed_field(description="The rest of the name after its first word (null if one word)")  # type: ignore[misc]
    @property
    def last_name(self) -> str | None:
        parts = self.name.split(maxsplit=1)
        return parts[1] if len(parts) > 1 else None


class UserList(BaseModel):
    users: list[User]
