"""Builders shared by the reference-program tests."""

from datetime import timedelta

from app.models import ActivityKind, ReferenceProfile, Status
from app.services import references
from tests.factories import make_activity, make_advocate, make_staff

D = timedelta(days=1)
LINKS = references.AnswerLinks(secret="test-secret", base_url="https://rallypoint.test")


def reference_activity(session, points=400):
    return make_activity(session, key="reference_call", name="Reference call",
                         kind=ActivityKind.REFERENCE_CALL,
                         points=points, cooldown_days=60, min_status=Status.SILVER)


def referee(session, now, *, opted_in=True, use_cases=(), last_reference_at=None, quarter_key="",
            quarter_count=0, **fields):
    """An advocate with a reference profile (Silver, active, NPS 9 unless told)."""
    fields.setdefault("status", Status.SILVER)
    advocate = make_advocate(session, **fields)
    profile = references.set_profile(session, advocate_id=advocate.id, opted_in=opted_in,
                                     use_cases=list(use_cases), now=now)
    profile.last_reference_at = last_reference_at
    profile.quarter_key, profile.quarter_count = quarter_key, quarter_count
    session.flush()
    return advocate


def profile(session, advocate) -> ReferenceProfile:
    session.expire_all()
    return session.get(ReferenceProfile, advocate.id)


def new_request(session, now, **fields):
    values = dict(prospect_company="Prospect Ltd", industry="Software", size_band="51-200", region="EMEA",
                  use_cases=["sso", "migration"])
    values.update(fields)
    return references.file_request(session, fields=references.RequestFields(**values),
                                   staff=make_staff(session), source="staff", now=now)
