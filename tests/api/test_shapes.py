"""Each body is defined once: the document's request schema of every write is the JSON schema of the
model its registered handler checks the body with, and a body breaking any field the document names is
a 422 naming that field. Also the translation of a model's errors into the API's (field, message)."""

import pytest

from app.api.openapi import component, document
from app.api.operations import OPERATIONS, Write, openapi_path
from app.api.shapes import Body, one_of, string, whole
from app.services.errors import ValidationFailed
from tests.api.conftest import error_of

# A body each model accepts (the fields a test does not break stay valid around the one it breaks).
VALID = {
    "AdvocateChanges": {"state": "paused", "reason": "On leave"},
    "Adjustment": {"amount": 5, "reason": "Thanks"},
    "NewAttempt": {"mission_id": 1, "advocate_id": 1, "evidence": {"link": "https://x.example"}},
    "Decision": {"reason": "Verified"},
    "Rejection": {"reason": "Broken link"},
    "NewMission": {"activity_key": "g2-review", "title": "Review us", "opens_at": "2026-07-01T09:00:00Z",
                   "closes_at": "2026-07-31T09:00:00Z", "audience": {"regions": ["EMEA"]}},
    "NewEvent": {"type": "renewal", "advocate": {"email": "a@example.com"},
                 "occurred_at": "2026-06-01T10:00:00Z"},
    "Conversion": {"amount": 100},
    "NewReferenceRequest": {"prospect_company": "Northwind", "needed_by": "2026-07-01"},
    "NewOpportunity": {"id": "006A1", "amount": 100, "currency": "USD", "stage": "open"},
}
# A value of each JSON type (an integer is also a number).
SAMPLES = [(True, {"boolean"}), (1.5, {"number"}), ("1", {"string"}), (["x"], {"array"}),
           ({"x": 1}, {"object"}), (7, {"integer", "number"})]


def _served(app):
    """(OpenAPI path, method, the model the registered handler checks the body with) of every write."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method, handler in getattr(view, "handlers", {}).items():
            if getattr(handler, "check", None) is not None:
                yield rule, method, handler.check.__self__


def _model(schema: dict, schemas: dict) -> dict | None:
    """The schema of the model a property refers to (alone or or-null), if it is one."""
    refs = [s["$ref"] for s in [schema, *schema.get("anyOf", [])] if "$ref" in s]
    return schemas[refs[0].rsplit("/", 1)[1]] if refs else None


def _wrong(schema: dict):
    """A value the schema refuses: a text outside its enum, else a value of a type it does not allow."""
    if "enum" in schema:
        return "no-such-value"
    types = set(schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
    return next(value for value, kinds in SAMPLES if not kinds & types)


def _breakings(body_schema: dict, schemas: dict, valid: dict):
    """(body, the field named) for every property of the body and of its nested objects."""
    for name, prop in body_schema["properties"].items():
        nested = _model(prop, schemas)
        if nested is not None:
            for inner, inner_prop in nested["properties"].items():
                yield {**valid, name: {inner: _wrong(inner_prop)}}, f"{name}.{inner}"
            yield {**valid, name: "x"}, name
        else:
            yield {**valid, name: _wrong(prop)}, name


def test_every_documented_request_body_is_the_schema_of_the_model_its_handler_checks_with(app):
    doc, served = document(), list(_served(app))
    schemas = doc["components"]["schemas"]
    checked = {(path, method) for path, ops in OPERATIONS.items() for method, op in ops.items()
               if isinstance(op, Write) and op.checks_body}
    assert len(served) == len(checked) >= 8
    for rule, method, model in served:
        where = openapi_path(rule.rule).removeprefix("/api/v1")
        body = doc["paths"][where][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model.__name__}"}, (where, method)
        schema, definitions = component(model, "validation")
        assert schemas[model.__name__] == schema
        assert all(schemas[name] == definition for name, definition in definitions.items())
        assert model.__name__ in VALID, f"add a valid {model.__name__} body to VALID"


def _url(rule, app) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, {name: 1 for name in rule.arguments})


def test_a_body_breaking_any_documented_field_is_422_naming_it(app, api):
    schemas = document()["components"]["schemas"]
    wrong, tried = [], set()
    for rule, method, model in _served(app):
        model.read(VALID[model.__name__])  # the sample itself passes
        for body, field in _breakings(schemas[model.__name__], schemas, VALID[model.__name__]):
            tried.add((rule.rule, field))
            response = api.client.open(_url(rule, app), method=method.upper(), json=body,
                                       headers={"Authorization": f"Bearer {api.secret}"})
            if response.status_code != 422 or error_of(response)["field"] != field:
                wrong.append((method, rule.rule, field, response.status_code, response.get_data()))
    assert not wrong and len(tried) >= 30


class Sample(Body):
    count: whole(1, 10)
    name: string(20, required=True)
    kind: one_of(("a", "b")) | None = None


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"name": "x"}, "count", "count is required."),
    ({"count": None, "name": "x"}, "count", "count is required."),
    ({"count": "5", "name": "x"}, "count", "count must be a whole number from 1 to 10."),
    ({"count": 5.0, "name": "x"}, "count", "whole number"),
    ({"count": True, "name": "x"}, "count", "whole number"),
    ({"count": 11, "name": "x"}, "count", "from 1 to 10"),
    ({"count": 5, "name": "  "}, "name", "name is required."),
    ({"count": 5, "name": "x" * 21}, "name", "name must be text of up to 20 characters."),
    ({"count": 5, "name": "x", "kind": "c"}, "kind", "kind must be one of a, b."),
])
def test_a_model_error_becomes_the_field_and_a_sentence(data, field, words):
    with pytest.raises(ValidationFailed) as raised:
        Sample.read(data)
    assert raised.value.field == field and words in raised.value.message


def test_unknown_keys_are_ignored_unless_a_model_forbids_them():
    assert Sample.read({"count": 1, "name": "x", "colour": "red"}).count == 1
