"""Pieces shared by several models."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class StrictInput(BaseModel):
    """Input models refuse unknown fields, so a misspelt field is an error, not silently lost."""

    # defer_build: an input model's validator is built when first used, not when its module is imported,
    # so a read-only function never pays for the write-side models it imports alongside its own.
    model_config = ConfigDict(extra="forbid", defer_build=True)
