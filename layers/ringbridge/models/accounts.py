"""Accounts and their CRM users."""

from typing import Literal

from pydantic import BaseModel

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


class UserList(BaseModel):
    users: list[User]
