"""Things an opportunity links to, made for the attribution tests: reference requests (through the
service), referrals and approved reviews (rows, as the figures tests make them)."""

from datetime import date, datetime
from itertools import count

from app.models import (
    ActivityKind,
    Attempt,
    AttemptState,
    OpportunityStage,
    Referral,
    ReferralCode,
    ReferralState,
)
from app.services import attribution, references
from tests.factories import make_activity, make_advocate, make_mission

_n = count(1)


def reference_request(session, now):
    fields = references.RequestFields(prospect_company=f"Prospect {next(_n)}")
    return references.file_request(session, fields=fields, staff=None, source="api", now=now)


def referral(session, *, state=ReferralState.CONVERTED, converted_at=None, deal_amount=None, advocate=None):
    advocate = advocate or make_advocate(session)
    code = ReferralCode(advocate_id=advocate.id, code=f"attr-{next(_n)}", created_at=datetime(2026, 1, 1))
    session.add(code)
    session.flush()
    row = Referral(code_id=code.id, referrer_id=advocate.id, friend_name="Friend",
                   friend_email=f"friend{next(_n)}@other.example", state=state,
                   created_at=datetime(2026, 1, 2), converted_at=converted_at, deal_amount=deal_amount)
    session.add(row)
    session.flush()
    return row


def approved(session, kind=ActivityKind.REVIEW, at=datetime(2026, 5, 1)):
    """An approved attempt of `kind`: a content item until the content library is merged."""
    advocate, activity = make_advocate(session), make_activity(session, kind=kind)
    mission = make_mission(session, activity=activity)
    row = Attempt(mission_id=mission.id, advocate_id=advocate.id, activity_id=activity.id,
                  state=AttemptState.APPROVED, started_at=at, submitted_at=at, decided_at=at, created_at=at)
    session.add(row)
    session.flush()
    return row


def deal(session, now, crm_id, amount, *, stage="won", close=date(2026, 5, 20), currency="USD", **links):
    fields = attribution.OpportunityFields(crm_id=crm_id, amount=amount, currency=currency,
                                           stage=OpportunityStage(stage), close_date=close,
                                           **{k: tuple(v) for k, v in links.items()})
    return attribution.record_opportunity(session, fields=fields, now=now)[0]
