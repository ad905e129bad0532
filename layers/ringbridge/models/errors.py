"""The one error body every route answers with, as the OpenAPI document describes it."""

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    field: str | None = Field(description="The field, query parameter or header at fault")
    problem: str
    type: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable: invalid, not_found, conflict, malformed_json, ...")
    message: str = Field(description="For people; names the field and what is wrong with it")
    field: str | None = Field(description="The field, query parameter or header at fault, if one is")
    problems: list[Problem] | None = Field(default=None, description="Every problem found (validation errors)")


class Error(BaseModel):
    """``{"error": {...}}``; a typed 409 (``ConflictBody``'s subclasses) also carries the current item."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    error: ErrorDetail


class ConflictBody(BaseModel):
    """The 409 of a versioned item's write; each subclass adds the current item under its name (e.g. ``contact``),
    which a stale version (body or If-Match) answers with; a write that lost a race carries none: retry.

    Only the OpenAPI document builds it (deferred), never a request; each subclass is declared in the one
    function module whose route answers it, so that no other function (FindContact, CreateActivity) defines it.
    """

    model_config = ConfigDict(defer_build=True)

    error: ErrorDetail
