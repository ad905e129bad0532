"""Pieces shared by several models."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, StringConstraints, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# A call id (Ringotel's look like "1729693708182-2d1c3de3d3772cdc1f"), in a body or naming an activity in a
# path: no "/", "#", space or control character, and no "." first (so never "." or "..").
CALL_ID_PATTERN = r"^[^/#\s.\x00-\x1f\x7f][^/#\s\x00-\x1f\x7f]*$"

if TYPE_CHECKING:  # a type only: functions that answer no HTTP (the scheduled ones) never load Powertools' OpenAPI
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponseHeader

# The headers of an answer, for the OpenAPI document (``responses={200: {..., "headers": ...}}``).
Headers = dict[str, "OpenAPIResponseHeader"]


def header(description: str) -> "OpenAPIResponseHeader":
    """A string response header for the OpenAPI document."""
    return {"description": description, "schema": {"type": "string"}}


class StrictInput(BaseModel):
    """Input models refuse unknown fields, so a misspelt field is an error, not silently lost."""

    # defer_build: an input model's validator is built when first used, not when its module is imported,
    # so a read-only function never pays for the write-side models it imports alongside its own.
    model_config = ConfigDict(extra="forbid", defer_build=True)


def without_blanks(data: Any, keys: Mapping[str, str] | None = None) -> Any:
    """A body with its blank strings removed: Ringotel sends an unset ``$variable$`` as ``""``.

    A blank field is left out (so it keeps its default, or is not changed by an update), blank
    elements leave their lists, and a list left empty that way is left out too: ``"emails":
    [""]`` means "no email given", not "remove every email" (``[]`` still means that).
    ``keys`` names, per list of objects, the key whose blank value blanks the element
    (``{"phones": "number"}``).
    """
    if not isinstance(data, dict):
        return data
    kept: dict[str, Any] = {}
    for name, value in data.items():
        if _blank(value):
            continue
        if isinstance(value, list) and value:
            key = (keys or {}).get(name)
            value = [
                without_blanks(element) if isinstance(element, dict) else element
                for element in value
                if not (_blank(element) or (key and isinstance(element, dict) and _blank(element.get(key, ""))))
            ]
            if not value:
                continue
        kept[name] = value
    return kept


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


class BlankIsAbsent(BaseModel):
    """Input whose blank strings count as absent (see ``without_blanks``): what Ringotel's hooks post."""

    blank_elements: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        return without_blanks(data, cls.blank_elements)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The published schema says what is accepted: a blank string wherever a value may be left out."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, prop in schema.get("properties", {}).items():
            if name in schema.get("required", []):
                continue  # left out, a required field is refused (422) all the same
            key = cls.blank_elements.get(name)
            blank_element = {"type": "object", "properties": {key: _BLANK}, "required": [key]} if key else _BLANK
            for variant in [prop, *prop.get("anyOf", [])]:  # a list, or an optional one
                if variant.get("type") == "array":
                    variant["items"] = {"anyOf": [variant.get("items", {}), blank_element, _BLANK]}
            schema["properties"][name] = {"anyOf": [prop, _BLANK]}
        return schema


_BLANK: JsonSchemaValue = {"type": "string", "pattern": r"^\s*$", "description": "blank: counts as absent"}
