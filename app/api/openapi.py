"""The OpenAPI 3.1 document of /api/v1, built from the routes' declared operations (app/api/operations.py)
and the JSON schemas of their body and result models (app/api/shapes.py)."""

import copy
from functools import cache

from pydantic import BaseModel

from app.api.operations import OPERATIONS, PATH_PARAMS, Listing, Read, Write
from app.api.pagination import PAGE
from app.api.shapes import REF_TEMPLATE, json_schema
from app.api.webhook_docs import webhooks_section

ERRORS = {
    "400": "Malformed request: not JSON, not an object, or a bad cursor",
    "401": "Missing, unknown or revoked API key",
    "403": "A write with a read-only key",
    "404": "Unknown object",
    "409": "Invalid state transition, conflict, or an Idempotency-Key reused for another request",
    "413": "The body is too large",
    "422": ("Validation failed; `field` names the input (text holding a NUL character or a lone surrogate "
            "is refused everywhere)"),
    "429": ("Rate limited: more than API_RATE_LIMIT_PER_MINUTE requests with this key in the last 60 seconds "
            "(a sliding window; refused requests are not counted). Retry-After says when to try again"),
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before the next request is allowed",
                               "schema": {"type": "integer", "minimum": 1}}}
ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "field"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "field": {"type": ["string", "null"]}}}}}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200},
               "description": "A repeat returns the first response and changes nothing"}
# Models whose schema the document shows whole rather than through references (the figures of /kpis).
INLINE = {"Kpis"}


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(codes: tuple[str, ...]) -> dict:
    errors = {code: _json({"$ref": REF_TEMPLATE.format(model="Error")}, ERRORS[code]) for code in codes}
    if "429" in errors:
        errors["429"]["headers"] = RETRY_AFTER
    return errors


def _page(item: type[BaseModel]) -> dict:
    return {"type": "object", "required": ["data", "next_cursor"], "properties": {
        "data": {"type": "array", "items": _ref(item)}, "next_cursor": {"type": ["string", "null"]}}}


def _operation(where: str, op) -> dict:
    path = [{"name": name, "in": "path", "required": True, "schema": schema}
            for name, schema in PATH_PARAMS[where].items()]
    operation = {"summary": op.summary, "parameters": [*path, *(q.documented() for q in op.params)]}
    if op.description:
        operation["description"] = op.description
    if isinstance(op, Listing):
        operation["parameters"] += [q.documented() for q in PAGE]
        operation["responses"] = {"200": _json(_page(op.item)), **_errors(op.codes)}
    elif isinstance(op, Read):
        operation["responses"] = {"200": _json(_ref(op.result)), **_errors(op.codes)}
    else:
        operation["parameters"].append(IDEMPOTENCY)
        content = {"application/json": {"schema": _ref(op.body)}, **(op.other_content or {})}
        operation["requestBody"] = {"required": True, "content": content}
        created = {"201": _json(_ref(op.result), "Created")} if op.created else {}
        operation["responses"] = {op.status: _json(_ref(op.result)), **created, **_errors(op.codes)}
    return operation


def _inlined(schema, definitions: dict):
    """`schema` with each reference replaced by the definition it names."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inlined(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions)
        return {key: _inlined(value, definitions) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inlined(item, definitions) for item in schema]
    return schema


def component(model: type[BaseModel], mode: str) -> tuple[dict, dict]:
    """The model's schema as the document shows it, and the schemas of the models it refers to."""
    schema = json_schema(model, mode)
    definitions = schema.pop("$defs", {})
    if model.__name__ in INLINE:
        return _inlined(schema, definitions), {}
    return schema, definitions


def _models() -> list[tuple[type[BaseModel], str]]:
    models = []
    for operations in OPERATIONS.values():
        for op in operations.values():
            if isinstance(op, Write):
                models.append((op.body, "validation"))
            models.append((op.item if isinstance(op, Listing) else op.result, "serialization"))
    return models


def components() -> dict:
    schemas = {"Error": ERROR_SCHEMA}
    for model, mode in _models():
        schema, definitions = component(model, mode)
        schemas[model.__name__] = schema
        schemas.update(definitions)
    return schemas


@cache
def _document() -> dict:
    paths = {where: {method: _operation(where, op) for method, op in operations.items()}
             for where, operations in OPERATIONS.items()}
    paths["/openapi.json"] = {"get": {"summary": "This document (no key needed)", "security": [],
                                      "responses": {"200": _json({"type": "object"})}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Rallypoint API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "webhooks": webhooks_section(),
        "components": {"schemas": components(),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "An API key from Admin → API keys"}}},
    }


def document() -> dict:
    """The document (built once, from the operations every route module declared on import)."""
    return copy.deepcopy(_document())
