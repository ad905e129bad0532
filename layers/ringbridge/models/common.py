"""Pieces shared by several models."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# Why an account's stored vendor config or status is shown as none (logic.per_account.states says it).
StoredProblem = Annotated[
    str | None, Field(description="Why the stored config or status cannot be read (it is shown as none)")
]
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
            value = [without_blanks(value[index]) for index in _kept_elements(value, (keys or {}).get(name))]
            if not value:
                continue
        kept[name] = value
    return kept


def _kept_elements(elements: list[Any], key: str | None) -> list[int]:
    """The indexes of a list's elements that are not blank."""
    # only a blank key blanks an element: one without the key is refused like any missing field
    return [
        index
        for index, element in enumerate(elements)
        if not (_blank(element) or (key and isinstance(element, dict) and _blank(element.get(key))))
    ]


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


class BlankIsAbsent(BaseModel):
    """Input whose blank strings count as absent (see ``without_blanks``): what Ringotel's hooks post."""

    blank_elements: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="wrap")
    @classmethod
    def _blank_is_absent(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(without_blanks(data, cls.blank_elements))
        except ValidationError as refused:
            raise _as_sent(refused, data, cls.blank_elements) from None

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The published schema says what is accepted: a blank string wherever a value may be left out."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, prop in schema.get("properties", {}).items():
            key = cls.blank_elements.get(name)
            blank_element = {"type": "object", "properties": {key: _BLANK}, "required": [key]} if key else _BLANK
            for variant in [prop, *prop.get("anyOf", [])]:  # a list, or an optional one
                if variant.get("type") == "array":
                    element = _blanks_allowed(handler.resolve_ref_schema(variant["items"]))
                    variant["items"] = {"anyOf": [element, blank_element, _BLANK]}
        schema.update(_blanks_allowed(schema))
        return schema


def _blanks_allowed(schema: JsonSchemaValue) -> JsonSchemaValue:
    """A copy of an object's schema whose optional properties, and unknown ones, may be blank.

    Any other schema is returned as it is.
    """
    if schema.get("type") != "object":
        return schema
    required = schema.get("required", [])  # left out, a required field is refused (422) all the same
    properties = {
        name: prop if name in required else {"anyOf": [prop, _BLANK]}
        for name, prop in schema.get("properties", {}).items()
    }
    allowed = {**schema, "properties": properties}
    if schema.get("additionalProperties") is False:  # a blank unknown field is left out before it is refused
        allowed["additionalProperties"] = _BLANK
    return allowed


_BLANK: JsonSchemaValue = {"type": "string", "pattern": r"^\s*$", "description": "blank: counts as absent"}


def _as_sent(refused: ValidationError, data: Any, keys: Mapping[str, str]) -> ValidationError:
    """``refused`` with each list element named by its index in ``data``, as sent, blanks included."""
    # A model validator's own ValidationError passes through pydantic as it is, with these locations.
    # Only a dict's fields can be refused at a place in a list: other data is refused whole, at loc ().
    errors: list[InitErrorDetails] = []
    for error in refused.errors():
        loc = error["loc"]
        if len(loc) > 1 and isinstance(loc[1], int) and isinstance(elements := data.get(loc[0]), list):
            loc = (loc[0], _kept_elements(elements, keys.get(str(loc[0])))[loc[1]], *loc[2:])
        errors.append({"type": error["type"], "loc": loc, "input": error["input"], "ctx": error.get("ctx", {})})
    return ValidationError.from_exception_data(refused.title, errors)
