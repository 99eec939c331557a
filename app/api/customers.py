"""Customer records from a CRM (SPEC §7): upsert one by its external id, or import many at once.

Both go through services/customers, the importer the admin upload and the CLI use, so a record
is checked and written by the same rules wherever it comes from, and a rejected one writes nothing.
"""

from typing import Annotated, Any

from flask import request
from pydantic import ConfigDict, Field, RootModel, WithJsonSchema, create_model

from app.api import representations as rep
from app.api.inputs import BadRequest, json_value, limited_body
from app.api.operations import Write, route
from app.api.shapes import Body
from app.extensions import db
from app.models import Advocate, AdvocateState
from app.models.signals import MAX_COUNT, SIGNALS, Signal
from app.services import clock, customers
from app.services.errors import ValidationFailed

MAX_RECORDS = 10_000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
CSV = "text/csv"
DAY = {"type": "string", "format": "date", "description": "YYYY-MM-DD, not in the future"}
TEXT = {"type": "string"}


def column(**schema) -> Any:
    """One importer column as documented; null or missing leaves the stored value alone."""
    types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
    return Annotated[Any, WithJsonSchema({**schema, "type": [*types, "null"]})]


def _whole(minimum: int, maximum: int | None = None) -> dict:
    bounds = {"minimum": minimum, **({"maximum": maximum} if maximum is not None else {})}
    return {"type": ["integer", "string"], **bounds}


def _signal(s: Signal) -> Any:
    """A signal field as documented, from its declaration (models/signals.py)."""
    if s.kind == "date":
        return column(**DAY)
    if s.kind == "average":
        return column(type=["number", "string"], minimum=s.low, maximum=s.high)
    if s.kind == "flag":
        return column(type=["boolean", "string"], description="or yes/no, true/false, 1/0")
    return column(**_whole(s.low, None if s.high == MAX_COUNT else s.high))


class _Profile(Body):
    model_config = ConfigDict(extra="forbid")

    external_id: column(type=["string", "integer"], maxLength=80) = None
    email: column(type="string", format="email") = None
    name: column(**TEXT, maxLength=120) = None
    company: column(**TEXT, maxLength=120) = None
    title: column(**TEXT, maxLength=120) = None
    industry: column(**TEXT, maxLength=80) = None
    company_size: column(**TEXT, maxLength=40) = None
    region: column(**TEXT, maxLength=80) = None
    tags: column(type=["array", "string"], items={"type": "string", "maxLength": 40}, maxItems=20,
                 description="a list, or texts separated by ;") = None


CustomerRecord = create_model(
    "CustomerRecord", __base__=_Profile,
    __doc__="""A new record needs an email and a name; an update, its external_id or email. Unknown fields are
    refused. Numbers may also come as numeric strings, as in CSV. Every field is checked as the admin
    upload and the CLI check it, and every reason is reported.""",
    **{s.column: (_signal(s), None) for s in SIGNALS},
    state=(column(type="string", enum=[s.value for s in AdvocateState],
                  description="a new record starts invited (or opted_out); an existing one moves as PATCH "
                              "/advocates/{advocate_id} allows, else the row is rejected"), None),
    owner_email=(column(type="string", format="email", description="the owner CSM: an active staff user's "
                                                                   "email, else the row is rejected"), None),
)


class CustomerRecords(RootModel[Annotated[list[CustomerRecord], Field(min_length=1,
                                                                       max_length=MAX_RECORDS)]]):
    """An import's JSON body: the records, each applied whole or rejected with its reasons."""


CSV_CONTENT = {CSV: {"schema": {"type": "string", "description": "a header of the record's fields"}}}


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
@route("/advocates/by-external-id/<anytext:external_id>", options={"merge_slashes": False},
       path={"external_id": {"type": "string", "minLength": 1, "maxLength": 80}}, put=Write(
           "Upsert one customer record and its signals by the CRM's external id", CustomerRecord,
           rep.Advocate, created=True, checks_body=False, codes=("400", "401", "403", "409", "422", "429"),
           description="200 when it updated a record, 201 when it created one. The path's external id is "
                       "the record's; one in the body must be the same. A rejected record writes nothing "
                       "(422, every reason in `message`, `field` the first column named)."))
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
    return rep.Advocate.of(advocate), 201 if result.outcome == "created" else 200


@route("/advocates/import", post=Write(
    "Import customer records: created, updated and rejected rows", CustomerRecords, rep.ImportReport,
    other_content=CSV_CONTENT, reader=import_body, checks_body=False,
    codes=("400", "401", "403", "409", "413", "422", "429"),
    description="Each row is applied whole or rejected with its line (1-based position, or the CSV line) "
                "and every reason; the others still apply. A row equal to the stored record is unchanged and "
                "writes nothing; a later row with the external_id or email of an earlier one is rejected "
                "(duplicate of line N). CSV header names must be the field names exactly (any case and "
                "order): an unknown column refuses the file; the web upload maps other names. "
                f"Bodies up to {MAX_IMPORT_BYTES // (1024 * 1024)} MB."))
def advocates_import(body: list | bytes):
    now = clock.utcnow()
    if isinstance(body, bytes):
        report = customers.import_csv(db.session, data=body, now=now)
    else:
        report = customers.import_rows(db.session, rows=body, now=now)
    return rep.ImportReport.of(report), 200
