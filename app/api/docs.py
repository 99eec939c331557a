"""The OpenAPI document (public: it describes the API, it grants nothing)."""

from app.api import bp
from app.api.openapi import document


@bp.get("/openapi.json")
def openapi():
    return document()
