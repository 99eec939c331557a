"""CRM opportunities (SPEC §14): `POST /opportunities` upserts one by the CRM's id with what influenced it
(reference requests, content items, referrals); the figures count its revenue (GET /kpis)."""

from datetime import date
from typing import Annotated

from pydantic import Field

from app.api.operations import Write, route
from app.api.references import IsoDay
from app.api.representations import Day, When, when
from app.api.shapes import Body, Representation, Says, crm_id, one_of, string, whole
from app.extensions import db
from app.models import InfluenceKind, OpportunityStage
from app.services import attribution, clock
from app.services.attribution import MAX_AMOUNT, MAX_LINKS


def _ids(what: str):
    return Annotated[list[whole()], Field(max_length=MAX_LINKS),
                     Says(f"must be a list of up to {MAX_LINKS} {what} ids (whole numbers).")]


class NewOpportunity(Body):
    """One CRM opportunity, created or updated by `id` (the CRM's). `amount` is in whole units of
    `currency`, which must be the program's (the figures never mix currencies: convert first). The
    lists replace the links sent before; a won deal counts once in the figures however many things
    touched it: sourced when a referral is linked, influenced when anything is."""

    id: crm_id()
    name: string(200) = ""
    amount: whole(0, MAX_AMOUNT)
    currency: Annotated[str, Field(strict=True, max_length=3, json_schema_extra={"pattern": "^[A-Z]{3}$"}),
                        Says("must be a three-letter ISO 4217 code, e.g. USD.")]
    stage: one_of(OpportunityStage)
    close_date: IsoDay | None = None
    references: _ids("reference request") = []
    content: _ids("content item") = []
    referrals: _ids("referral") = []


class Opportunity(Representation):
    id: str
    name: str
    amount: int
    currency: str
    stage: str
    close_date: Day
    references: list[int]
    content: list[int]
    referrals: list[int]
    sourced: bool
    influenced: bool
    created_at: When
    updated_at: When

    @classmethod
    def of(cls, o) -> "Opportunity":
        links = attribution.links_of(o)
        return cls(id=o.crm_id, name=o.name, amount=o.amount, currency=o.currency, stage=o.stage.value,
                   close_date=when(o.close_date), references=links[InfluenceKind.REFERENCE],
                   content=links[InfluenceKind.CONTENT], referrals=links[InfluenceKind.REFERRAL],
                   sourced=bool(links[InfluenceKind.REFERRAL]), influenced=any(links.values()),
                   created_at=when(o.created_at), updated_at=when(o.updated_at))


@route("/opportunities", post=Write(
    "Record a CRM opportunity and what influenced it (upsert by id)", NewOpportunity, Opportunity,
    created=True, description="201 when it created the opportunity, 200 when it updated one. 422 names the "
                              "field: an amount in another currency than the program's, a won or lost deal "
                              "without close_date, or an id that names no reference request, content item "
                              "or (not rejected) referral."))
def opportunity_upsert(body: NewOpportunity):
    fields = attribution.OpportunityFields(
        crm_id=body.id, name=body.name, amount=body.amount, currency=body.currency,
        stage=OpportunityStage(body.stage),
        close_date=date.fromisoformat(body.close_date) if body.close_date else None,
        references=tuple(body.references), content=tuple(body.content), referrals=tuple(body.referrals))
    opportunity, created = attribution.record_opportunity(db.session, fields=fields, now=clock.utcnow())
    return Opportunity.of(opportunity), 201 if created else 200
