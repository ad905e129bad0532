"""What erasing a contact did: the answer of ``erase-contact`` and of POST /ringio/contacts/{id}/erase."""

from typing import Literal

from pydantic import BaseModel, Field

RingostatOutcome = Literal["blanked", "not configured"]


class ErasureResult(BaseModel):
    contact_id: str
    complete: bool = Field(description="false: the run's time ran out; erase again to continue where it stopped")
    activities_anonymised: int = Field(default=0, description="By this run")
    notes_deleted: int = Field(default=0, description="By this run")
    idempotency_records_deleted: int = Field(default=0, description="By this run")
    recording_objects_deleted: int = Field(default=0, description="Object versions deleted by this run")
    ringostat: RingostatOutcome | None = Field(
        default=None, description="What Ringostat was sent (it has no delete): a record without name, e-mail or link"
    )
