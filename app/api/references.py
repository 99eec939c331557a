"""Reference requests (SPEC §10): sales' CRM files one and reads its state, its ranked matches (while
it is open) and the chain of asks."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from app.api.auth import caller
from app.api.inputs import ID
from app.api.operations import Read, Write, route
from app.api.representations import Day, When, when
from app.api.shapes import SHAPE, Body, Representation, Says, crm_id, string, strings, whole
from app.extensions import db
from app.models import ReferenceRequestState
from app.services import clock, references
from app.services.errors import NotFound
from app.services.references.requests import MAX_AMOUNT

DAY = "must be an ISO 8601 date, e.g. 2026-07-01."


def _day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(SHAPE, DAY) from None
    return value


IsoDay = Annotated[str, Field(strict=True, max_length=10, json_schema_extra={"format": "date"}), Says(DAY),
                   AfterValidator(_day)]


class NewReferenceRequest(Body):
    """A prospect wants to speak with a customer. Matching compares industry, size band, region (case
    ignored) and use cases (lower-case words joined by hyphens) with the advocates who opted in."""

    prospect_company: string(120, required=True)
    industry: string(80) = ""
    size_band: string(40) = ""
    region: string(80) = ""
    use_cases: strings(10, 40) = []
    needed_by: IsoDay | None = None
    crm_opportunity_id: crm_id() | None = None
    opportunity_amount: whole(0, MAX_AMOUNT) | None = None
    note: string(2000) = ""


class ReferenceMatch(Representation):
    advocate_id: int
    fit_score: int
    reasons: list[str]


class ReferenceAskLink(Representation):
    advocate_id: int
    rank: int
    state: str
    fit_score: int
    sent_at: When
    due_at: When
    answered_at: When
    completed_at: When


class ReferenceRequest(Representation):
    """A request with its state; `matches` ranks who would be asked next while it is open (empty
    once an ask is out); `asks` is the chain so far."""

    id: int
    state: str
    prospect_company: str
    industry: str
    size_band: str
    region: str
    use_cases: list[str]
    needed_by: Day
    crm_opportunity_id: str | None
    opportunity_amount: int | None
    created_at: When
    fulfilled_at: When
    matches: list[ReferenceMatch]
    asks: list[ReferenceAskLink]

    @classmethod
    def of(cls, r, matches) -> "ReferenceRequest":
        return cls(
            id=r.id, state=r.state.value, prospect_company=r.prospect_company, industry=r.industry,
            size_band=r.size_band, region=r.region, use_cases=list(r.use_cases or []),
            needed_by=when(r.needed_by),
            crm_opportunity_id=r.crm_opportunity_id, opportunity_amount=r.opportunity_amount,
            created_at=when(r.created_at), fulfilled_at=when(r.fulfilled_at),
            matches=[ReferenceMatch(advocate_id=m.advocate_id, fit_score=m.fit_score, reasons=list(m.reasons))
                     for m in matches],
            asks=[ReferenceAskLink(advocate_id=a.advocate_id, rank=a.rank, state=a.state.value,
                                   fit_score=a.fit_score, sent_at=when(a.sent_at), due_at=when(a.due_at),
                                   answered_at=when(a.answered_at), completed_at=when(a.completed_at))
                  for a in r.asks])


def _answer(request_row) -> ReferenceRequest:
    matches = references.find_matches(db.session, request=request_row, now=clock.utcnow()) \
        if request_row.state == ReferenceRequestState.OPEN else []
    return ReferenceRequest.of(request_row, matches)


@route("/reference-requests", post=Write("File a reference request", NewReferenceRequest, ReferenceRequest,
                                         status="201"))
def reference_request_create(body: NewReferenceRequest):
    needed_by = date.fromisoformat(body.needed_by) if body.needed_by else None
    fields = references.RequestFields(**{**body.model_dump(), "needed_by": needed_by})
    filed = references.file_request(db.session, fields=fields, staff=caller().actor, source="api",
                                    now=clock.utcnow())
    return _answer(filed), 201


@route(f"/reference-requests/<{ID}:request_id>", get=Read("A reference request with its ranked matches",
                                                         ReferenceRequest))
def reference_request_detail(request_id: int):
    found = references.request_detail(db.session, request_id)
    if found is None:
        raise NotFound("No such reference request.")
    return _answer(found)
