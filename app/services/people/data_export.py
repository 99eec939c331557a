"""An advocate's own data as one JSON document (SPEC §1, "download my data").

It holds what the program keeps about them and what they entered: the profile, preferences,
points, account and status history, attempts with their evidence, ledger entries, redemptions,
the referrals they made (the friends' details as they typed them), notifications, email
choices, their status badges (with each assertion's public URL, made by the edge's `badge_url`),
the content items they authored with every consent they gave or withdrew, and their reference
choices, the reference calls they were asked for and the feedback they left.
Nothing else of other people: staff appear by role, never by name or email.
"""

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    AccountEvent,
    Advocate,
    Attempt,
    BadgeAssertion,
    ContentItem,
    CustomerSignal,
    LedgerEntry,
    Notification,
    Redemption,
    ReferenceAsk,
    ReferenceProfile,
    Referral,
    StatusChange,
)
from app.models.signals import ON_ADVOCATE, ON_SIGNAL_ROW
from app.services.people.preferences import EMAIL_CATEGORIES

PROFILE = ("name", "email", "external_id", "company", "title", "industry", "company_size", "region", "tags",
           *ON_ADVOCATE)
SIGNALS = ON_SIGNAL_ROW


def _when(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.replace(microsecond=0).isoformat() + "Z"
    return moment.isoformat()


def _value(value):
    if isinstance(value, datetime | date):
        return _when(value)
    return getattr(value, "value", value)


def _rows(session: Session, model, where, order, *options):
    return list(session.scalars(select(model).where(where).options(*options).order_by(order, model.id)))


def export_data(session: Session, *, advocate: Advocate, now: datetime,
                badge_url: Callable[[str], str] | None = None, picture: str | None = None) -> dict:
    """Everything above about one advocate, as JSON-ready values (times in UTC, ISO 8601); `picture`
    is their uploaded picture as a data URI (services.people.avatars.data_uri), if any."""
    signal = session.get(CustomerSignal, advocate.id)
    return {
        "exported_at": _when(now),
        "profile": {**{name: _value(getattr(advocate, name)) for name in PROFILE}, "picture": picture},
        "customer_signals": {name: _value(getattr(signal, name)) for name in SIGNALS} if signal else None,
        "account": {"state": advocate.state.value, "member_since": _when(advocate.created_at),
                    "last_sign_in": _when(advocate.last_login_at), "erased_at": _when(advocate.erased_at)},
        "preferences": {"ask_frequency": advocate.ask_frequency.value,
                        "hidden_from_public_leaderboards": advocate.leaderboard_opt_out,
                        "emails_turned_off": [{"category": c, "label": EMAIL_CATEGORIES.get(c, c)}
                                              for c in advocate.email_opt_outs or []]},
        "points": {"balance": advocate.balance, "lifetime_points": advocate.lifetime_points,
                   "status": advocate.status.value, "status_since": _when(advocate.status_since)},
        "account_history": [_account_event(e) for e in _rows(
            session, AccountEvent, AccountEvent.advocate_id == advocate.id, AccountEvent.at)],
        "status_history": [{"at": _when(c.at), "from": c.from_status.value, "to": c.to_status.value,
                            "reason": c.reason} for c in _rows(
            session, StatusChange, StatusChange.advocate_id == advocate.id, StatusChange.at)],
        "attempts": [_attempt(a) for a in _rows(session, Attempt, Attempt.advocate_id == advocate.id,
                                                Attempt.created_at, selectinload(Attempt.mission))],
        "ledger": [{"at": _when(e.created_at), "amount": e.amount, "reason": e.reason.value, "note": e.note}
                   for e in _rows(session, LedgerEntry, LedgerEntry.advocate_id == advocate.id,
                                  LedgerEntry.created_at)],
        "redemptions": [_redemption(r) for r in _rows(
            session, Redemption, Redemption.advocate_id == advocate.id, Redemption.created_at,
            selectinload(Redemption.reward))],
        "referrals_made": [_referral(r) for r in _rows(session, Referral, Referral.referrer_id == advocate.id,
                                                       Referral.created_at)],
        "notifications": [{"at": _when(n.created_at), "title": n.title, "body": n.body, "link": n.link,
                           "read_at": _when(n.read_at)} for n in _rows(
            session, Notification, Notification.advocate_id == advocate.id, Notification.created_at)],
        "badges": [{"status": b.status.value, "issued_at": _when(b.issued_at),
                    "revoked_at": _when(b.revoked_at), "revocation_reason": b.revocation_reason or None,
                    "assertion_url": badge_url(b.uid) if badge_url else None} for b in _rows(
            session, BadgeAssertion, BadgeAssertion.advocate_id == advocate.id, BadgeAssertion.issued_at)],
        "content": [_content(c) for c in _rows(session, ContentItem, ContentItem.advocate_id == advocate.id,
                                               ContentItem.created_at, selectinload(ContentItem.consents))],
        "references": _references(session, advocate),
    }


def _account_event(e: AccountEvent) -> dict:
    return {"at": _when(e.at), "change": e.kind.value, "from": e.from_value if e.kind != "owner" else None,
            "to": e.to_value if e.kind != "owner" else None, "by": e.source.value, "reason": e.reason}


def _attempt(a: Attempt) -> dict:
    return {"mission": a.mission.title, "state": a.state.value, "started_at": _when(a.started_at),
            "submitted_at": _when(a.submitted_at), "decided_at": _when(a.decided_at),
            "decision_reason": a.decision_reason, "points_awarded": a.points_awarded,
            "evidence": {"link": a.evidence_link, "text": a.evidence_text, "file_name": a.evidence_filename}}


def _redemption(r: Redemption) -> dict:
    return {"reward": r.reward.name, "points": r.points, "state": r.state.value, "note": r.note,
            "reason": r.reason, "requested_at": _when(r.created_at), "fulfilled_at": _when(r.fulfilled_at),
            "closed_at": _when(r.closed_at)}


def _referral(r: Referral) -> dict:
    return {"friend_name": r.friend_name, "friend_email": r.friend_email, "friend_company": r.friend_company,
            "state": r.state.value, "referred_at": _when(r.created_at), "qualified_at": _when(r.qualified_at),
            "converted_at": _when(r.converted_at), "closed_at": _when(r.closed_at)}


def _content(c: ContentItem) -> dict:
    return {"kind": c.kind.value, "state": c.state.value, "title": c.title, "text": c.text, "link": c.link,
            "rating": c.rating, "platform": c.platform, "added_at": _when(c.created_at),
            "in_feed_since": _when(c.published_at),
            "consents": [{"use": k.use.value, "granted": k.granted, "at": _when(k.at)} for k in c.consents]}


def _references(session: Session, advocate: Advocate) -> dict:
    profile = session.get(ReferenceProfile, advocate.id)
    asks = _rows(session, ReferenceAsk, ReferenceAsk.advocate_id == advocate.id, ReferenceAsk.sent_at,
                 selectinload(ReferenceAsk.request), selectinload(ReferenceAsk.feedback))
    return {"opted_in": bool(profile and profile.opted_in), "use_cases": profile.use_cases if profile else "",
            "asks": [{"prospect_company": a.request.prospect_company, "state": a.state.value,
                      "asked_at": _when(a.sent_at), "answered_at": _when(a.answered_at),
                      "completed_at": _when(a.completed_at),
                      "your_feedback": [{"rating": f.rating, "text": f.text, "at": _when(f.created_at)}
                                        for f in a.feedback if f.side == "advocate"]} for a in asks]}
