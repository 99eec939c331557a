"""The OpenAPI document describes exactly the routes the blueprint registers."""

import json
import re

from app.api.openapi import ERRORS

CONVERTER = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")


def _registered(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = CONVERTER.sub(r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes.update((path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def _documented(doc) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


def test_the_document_lists_every_route_and_method_and_no_others(app, client):
    doc = json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))
    assert doc["openapi"].startswith("3.")
    assert _documented(doc) == _registered(app)
    assert len(_registered(app)) >= 18


def test_every_path_parameter_is_declared_and_every_error_uses_the_envelope(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"
            for status, response in operation["responses"].items():
                if status in ERRORS:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"] == "#/components/schemas/Error"


def test_every_reference_resolves(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    refs = set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc)))
    assert refs and refs <= set(doc["components"]["schemas"])


def test_writes_document_the_idempotency_key_and_a_body(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        if "post" in item:
            names = [p["name"] for p in item["post"]["parameters"]]
            assert "Idempotency-Key" in names and "requestBody" in item["post"], path
