"""Things an opportunity links to, made for the attribution tests: reference requests (through the
service), referrals and approved reviews in the content library (rows, as the figures tests make them)."""

from datetime import date, datetime
from itertools import count

from app.models import (
    ContentItem,
    ContentKind,
    ContentState,
    OpportunityStage,
    Referral,
    ReferralCode,
    ReferralState,
)
from app.services import attribution, references
from tests.factories import make_advocate

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


def content_item(session, at=datetime(2026, 5, 1)):
    """An approved review in the content library, by a new advocate."""
    advocate = make_advocate(session)
    row = ContentItem(kind=ContentKind.REVIEW, state=ContentState.APPROVED, text="Great", rating=5,
                      advocate_id=advocate.id, author_name=advocate.name, created_at=at)
    session.add(row)
    session.flush()
    return row


def deal(session, now, crm_id, amount, *, stage="won", close=date(2026, 5, 20), currency="USD", **links):
    fields = attribution.OpportunityFields(crm_id=crm_id, amount=amount, currency=currency,
                                           stage=OpportunityStage(stage), close_date=close,
                                           **{k: tuple(v) for k, v in links.items()})
    return attribution.record_opportunity(session, fields=fields, now=now)[0]
