"""Pieces shared by several models."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# A call id (Ringotel's look like "1729693708182-2d1c3de3d3772cdc1f"), in a body or naming an activity in a
# path: no "/", "#", space or control character, and no "." first (so never "." or "..").
CALL_ID_PATTERN = r"^[^/#\s.\x00-\x1f\x7f][^/#\s\x00-\x1f\x7f]*$"


class StrictInput(BaseModel):
    """Input models refuse unknown fields, so a misspelt field is an error, not silently lost."""

    model_config = ConfigDict(extra="forbid")
