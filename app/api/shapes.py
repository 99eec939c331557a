"""The API's body shapes as pydantic models: one model both checks a body and is its OpenAPI schema.

Request models are strict (no "5" -> 5, no 1.0 -> 1, no true -> 1) and ignore unknown keys unless
they say otherwise. A failed check becomes `ValidationFailed` naming the first bad field, dotted
(`audience.regions`; an item of a list is named by its list), with the message the field's type
carries (`Says`). Texts holding NUL or a lone surrogate never reach a model: the body reader refuses
them first (app/api/inputs.py).
"""

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError
from pydantic_core import core_schema as cs

from app.services.errors import ValidationFailed

MAX_ID = 2**31 - 1
REF_TEMPLATE = "#/components/schemas/{model}"
SHAPE = "shape"  # the error type of a field's own message
WHEN = "must be an ISO 8601 date-time, e.g. 2026-07-01T09:00:00Z."


class Says:
    """Annotated metadata: any error inside the annotated type is reported with this one message,
    after the field's name ("amount must be a whole number from 1 to 10.")."""

    def __init__(self, message: str):
        self.message = message

    def __get_pydantic_core_schema__(self, source, handler):
        return cs.custom_error_schema(handler(source), custom_error_type=SHAPE,
                                      custom_error_message=self.message)


def whole(minimum: int = 1, maximum: int = MAX_ID) -> Any:
    """A JSON integer (not a boolean, not 1.0, not "1") from `minimum` to `maximum`."""
    return Annotated[int, Field(strict=True, ge=minimum, le=maximum),
                     Says(f"must be a whole number from {minimum:,} to {maximum:,}.")]


def _filled(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("missing", "is required")
    return value


def string(max_length: int, *, required: bool = False, **schema) -> Any:
    """JSON text of up to `max_length` characters; `required`: not empty or blank either."""
    documented = {**schema, **({"minLength": 1} if required else {})}  # (_filled refuses blank text too)
    checked = Annotated[str, Field(strict=True, max_length=max_length, json_schema_extra=documented or None),
                        Says(f"must be text of up to {max_length:,} characters.")]
    return Annotated[checked, AfterValidator(_filled)] if required else checked


def strings(max_items: int = 500, max_length: int = 254) -> Any:
    return Annotated[list[Annotated[str, Field(strict=True, max_length=max_length)]],
                     Field(max_length=max_items), Says(f"must be a list of up to {max_items} texts.")]


def one_of(values: Iterable[str | enum.Enum]) -> Any:
    """One of these texts (or members' values, e.g. an Enum class); validated as the text."""
    allowed = tuple(getattr(value, "value", value) for value in values)
    return Annotated[Literal[allowed], Says(f"must be one of {', '.join(allowed)}.")]


def _utc(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved past the calendar's end
        raise PydanticCustomError(SHAPE, WHEN) from None
    return parsed


# An ISO 8601 date-time: with an offset it is converted to UTC, without one it is taken as UTC.
Moment = Annotated[str, Field(strict=True, max_length=40, json_schema_extra={"format": "date-time"}),
                   Says(WHEN), AfterValidator(_filled), AfterValidator(_utc)]


def _numbered(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def crm_id(max_length: int = 80) -> Any:
    """A CRM's record id: text, or an integer taken as its digits (CRMs often number their records)."""
    return Annotated[str, BeforeValidator(_numbered), Field(strict=True, max_length=max_length),
                     Says(f"must be text of up to {max_length:,} characters."),
                     Field(json_schema_extra={"type": ["string", "integer"]})]


class Body(BaseModel):
    """A request body: strict, unknown keys ignored (a model may forbid them)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    @classmethod
    def read(cls, data: dict):
        """The model of `data`, or ValidationFailed naming the first bad field."""
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise failure(error.errors(include_url=False)[0]) from None


class Representation(BaseModel):
    """A response body: what a handler sends, built from the stored object."""

    model_config = ConfigDict(frozen=True)

    def dump(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


def dumped(value: Representation, model: type[Representation]) -> dict:
    """A handler's answer as JSON data; it must be the model its operation documents."""
    if type(value) is not model:
        raise TypeError(f"the handler answered {type(value).__name__}; its operation documents "
                        f"{model.__name__}")
    return value.dump()


def _field(loc: tuple) -> str | None:
    return ".".join(str(part)[:80] for part in loc if isinstance(part, str)) or None


def failure(error: dict) -> ValidationFailed:
    """One pydantic error as the API's ValidationFailed (field dotted, message in words)."""
    field = _field(error["loc"])
    kind, message = error["type"], error["msg"]
    if kind == "missing" or (error.get("input", "") is None and kind != "extra_forbidden"):
        return ValidationFailed(f"{field} is required.", field=field)
    if kind == "extra_forbidden":
        return ValidationFailed(f"unknown field {field!r}; leave it out.", field=field)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return ValidationFailed(f"{field} must be an object.", field=field)
    if kind == SHAPE and field:
        return ValidationFailed(f"{field} {message}", field=field)
    return ValidationFailed(f"{field}: {message}." if field else f"{message}.", field=field)


class Schemas(GenerateJsonSchema):
    """OpenAPI 3.1 schemas as this API writes them: no generated titles, `{"type": [T, "null"]}` for
    a simple optional value."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        documented = super().default_schema(schema)
        if documented.get("default", ...) is None:  # null or missing: the same thing here
            del documented["default"]
        return documented

    def nullable_schema(self, schema):
        inner = self.generate_inner(schema["schema"])
        if "type" not in inner:
            return super().nullable_schema(schema)
        types = inner["type"] if isinstance(inner["type"], list) else [inner["type"]]
        nullable = {**inner, "type": [*types, "null"]}
        if "enum" in nullable:
            nullable["enum"] = [*nullable["enum"], None]
        return nullable

    def generate(self, schema, mode="validation"):
        document = super().generate(schema, mode)
        for model in [document, *document.get("$defs", {}).values()]:
            model.pop("title", None)
            if "description" in model:  # a docstring: one paragraph
                model["description"] = " ".join(model["description"].split())
        return document


def json_schema(model: type[BaseModel], mode: str = "validation") -> dict:
    """The model's schema with references into #/components/schemas (its `$defs` still inside)."""
    return model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=Schemas, mode=mode)
