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


class RingotelUser(User):
    """A user as the Ringotel Users hook shows it: Ringotel maps a first and a last name, a user has one name.

    The first word is the first name and the rest the last name, so "Ludwig van Beethoven" splits
    right and "Anna Maria Kovalenko" does not (Ringotel shows both together anyway).
    """

    @computed_field(description="The name's first word")  # type: ignore[prop-decorator]
    @property
    def first_name(self) -> str:
        words = self.name.split(maxsplit=1)
        return words[0] if words else ""

    @computed_field(description="The rest of the name after its first word (null if one word)")  # type: ignore[prop-decorator]
    @property
    def last_name(self) -> str | None:
        words = self.name.split(maxsplit=1)
        return words[1] if len(words) > 1 else None


class RingotelUserList(BaseModel):
    users: list[RingotelUser]
