"""Notes: free text about a contact, written by a user (Ringio's notes)."""

from pydantic import BaseModel


class NoteCreate(BaseModel):
    contact_id: str
    author_id: str | None = None
    body: str


class NoteUpdate(BaseModel):
    """A partial update: only the fields set change."""

    contact_id: str | None = None
    author_id: str | None = None
    body: str | None = None
    version: int | None = None


class Note(BaseModel):
    id: str
    contact_id: str
    author_id: str | None = None
    body: str
    version: int
    created_at: str
    updated_at: str
