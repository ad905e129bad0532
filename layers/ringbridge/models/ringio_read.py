"""Ringio's read-only shapes: rings (the call activities), users, the account, and a feed's answer.

Kept apart from the contact and note shapes so the read-only functions load only these.
"""

from typing import Literal

from pydantic import BaseModel, Field

Party = Literal["user", "contact"]


class RingioRing(BaseModel):
    """A call: one activity of the Ringotel call workflow."""

    id: str
    from_type: Party
    from_id: str | None
    to_type: Party
    to_id: str | None
    callerid: str | None = Field(description="The caller's number")
    called_number: str | None
    start_time: str | None
    duration: int | None = Field(description="Milliseconds; null while the call is active")
    outcome: str = Field(description="The disposition if set; else in_progress, completed, or ended:<cause>")
    kind: Literal["call"] = "call"
    call_recording: str | None = Field(description="Path (under the API URL) that answers a link to the recording")
    last_updated: str
    date_created: str


class RingOut(BaseModel):
    ring: RingioRing


class RingioUser(BaseModel):
    id: str
    email: str | None
    name: str


class UserOut(BaseModel):
    user: RingioUser


class RingioAccount(BaseModel):
    id: str
    name: str


class AccountOut(BaseModel):
    account: RingioAccount


class Feed(BaseModel):
    updated: list[str] = Field(description="Ids created or updated since `since`, oldest change first")
    deleted: list[str] = Field(description="Ids deleted since `since` (or, in a user's feed, no longer theirs)")
    timestamp: str = Field(description="Pass it as the next `since` (after applying this answer)")
    next: str | None = Field(
        default=None, description="More changes: call again with the same `since` and this `cursor`"
    )
