"""How far retiring an account got: what ``delete-account`` prints, and what its status item keeps."""

from typing import Literal

from pydantic import BaseModel, Field

Phase = Literal["access", "secrets", "recordings", "contacts", "items", "settle"]


class AccountDeletion(BaseModel):
    account_id: str
    started_at: str
    phase: Phase = Field(default="access", description="The phase running, or the next to run")
    access_removed_at: str | None = Field(default=None, description="When the account's tokens stopped working")
    wait_until: str | None = Field(
        default=None, description="The last sweep waits until then: requests that passed auth before may still write"
    )
    complete: bool = False
    items_deleted: int = 0
    phone_copies_deleted: int = 0
    recording_objects_deleted: int = 0
    parameters_deleted: int = 0
