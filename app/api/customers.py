"""Customer records from a CRM (SPEC §7): upsert one by its external id, or import many at once.

Both go through services/customers, the importer the admin upload and the CLI use, so a record
is checked and written by the same rules wherever it comes from, and a rejected one writes nothing.
"""

from flask import request

from app.api import bp
from app.api import representations as rep
from app.api.inputs import BadRequest, json_value, limited_body
from app.api.writes import write
from app.extensions import db
from app.models import Advocate
from app.services import clock, customers
from app.services.errors import ValidationFailed

MAX_RECORDS = 10_000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
CSV = "text/csv"


def import_body() -> list | bytes:
    """The records of an import: a CSV file's bytes (Content-Type: text/csv) or a JSON array of objects."""
    raw = limited_body(MAX_IMPORT_BYTES)
    if not raw.strip():
        raise ValidationFailed("Send the records: a JSON array of objects, or CSV (Content-Type: text/csv).")
    if request.mimetype == CSV:
        return raw
    records = json_value(raw)
    if not isinstance(records, list):
        raise BadRequest("The body must be a JSON array of records (or CSV with Content-Type: text/csv).")
    if not records:
        raise ValidationFailed("The array is empty: send at least one record.")
    if len(records) > MAX_RECORDS:
        raise ValidationFailed(f"{len(records):,} records: send at most {MAX_RECORDS:,} per request.")
    for position, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise BadRequest(f"Record {position} is not a JSON object of column: value.")
    return records


# merge_slashes off: an external id that starts with "/" must not be answered by a redirect.
@bp.put("/advocates/by-external-id/<anytext:external_id>", merge_slashes=False)
@write
def advocate_upsert(body: dict, external_id: str):
    given = body.get("external_id")
    if given not in (None, "") and str(given).strip() != external_id.strip():
        raise ValidationFailed("external_id in the body differs from the one in the path; leave it out.",
                               field="external_id")
    if not external_id.strip():
        raise ValidationFailed("external_id is required.", field="external_id")
    record = {**body, "external_id": external_id}
    report = customers.import_rows(db.session, rows=[record], now=clock.utcnow())
    [result] = report.results
    if result.outcome == "rejected":
        raise ValidationFailed(result.reason, field=next((p.field for p in result.problems if p.field), None))
    advocate = db.session.get(Advocate, result.advocate_id)
    return rep.advocate(advocate), 201 if result.outcome == "created" else 200


@bp.post("/advocates/import")
@write(body=import_body)
def advocates_import(body: list | bytes):
    now = clock.utcnow()
    if isinstance(body, bytes):
        report = customers.import_csv(db.session, data=body, now=now)
    else:
        report = customers.import_rows(db.session, rows=body, now=now)
    return rep.import_report(report), 200
