"""Filing a reference request and the fields it takes (SPEC §10)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.models import ReferenceRequest, StaffUser
from app.services.errors import ValidationFailed
from app.services.periods import to_local
from app.services.program import settings as settings_service
from app.services.references.profiles import normalise_tags

MAX_AMOUNT = 10_000_000_000


@dataclass(frozen=True)
class RequestFields:
    prospect_company: str
    industry: str = ""
    size_band: str = ""
    region: str = ""
    use_cases: list[str] | str = field(default_factory=list)
    needed_by: date | None = None
    crm_opportunity_id: str = ""
    opportunity_amount: int | None = None
    note: str = ""


def _text(value: str | None, name: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed("Required.", field=name)
    if len(value) > limit:
        raise ValidationFailed(f"At most {limit} characters.", field=name)
    return value


def file_request(session: Session, *, fields: RequestFields, staff: StaffUser | None, source: str,
                 now: datetime) -> ReferenceRequest:
    """A new open request. ValidationFailed names the field: the prospect company is required, the
    needed-by date cannot be in the past (program timezone), the amount is a whole number ≥ 0."""
    amount = fields.opportunity_amount
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)
                               or not 0 <= amount <= MAX_AMOUNT):
        raise ValidationFailed(f"A whole number from 0 to {MAX_AMOUNT:,}.", field="opportunity_amount")
    today = to_local(now, settings_service.load(session).timezone).date()
    if fields.needed_by is not None and fields.needed_by < today:
        raise ValidationFailed("The needed-by date is in the past.", field="needed_by")
    request = ReferenceRequest(
        prospect_company=_text(fields.prospect_company, "prospect_company", 120, required=True),
        industry=_text(fields.industry, "industry", 80), size_band=_text(fields.size_band, "size_band", 40),
        region=_text(fields.region, "region", 80), use_cases=normalise_tags(fields.use_cases),
        needed_by=fields.needed_by,
        crm_opportunity_id=_text(fields.crm_opportunity_id, "crm_opportunity_id", 80) or None,
        opportunity_amount=amount, note=_text(fields.note, "note", 2000),
        requested_by_id=staff.id if staff else None, source=source, created_at=now)
    session.add(request)
    session.flush()
    return request
