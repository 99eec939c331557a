"""Referral codes, the landing page's clicks and submissions, and the fraud rules a submission passes.

Every advocate has one unguessable code (72 random bits). A friend's submission is accepted as
`submitted` or stored as `rejected` with a reason staff can see: self-referral (the referrer's own
email, or their company's email domain unless it is a free-mail domain), an email already known
(an earlier accepted referral, any referrer, or an advocate; first touch wins) or a burst (more
than the `referral_burst_per_hour` setting from one code within an hour). The known-email rule is
held by a partial unique index over accepted referrals, so two simultaneous submissions of one
email cannot both be accepted; the code's row is locked (PostgreSQL) while its burst is counted.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import (
    Advocate,
    AdvocateState,
    Referral,
    ReferralClick,
    ReferralCode,
    ReferralState,
    ReferralTransition,
    RejectionReason,
)
from app.services.errors import NotFound, RateLimited, ValidationFailed
from app.services.messaging import notifications, outbox
from app.services.program import settings as settings_service
from app.services.referrals import pipeline
from app.services.webhooks import events as webhook_events

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de",
})
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
LIVE_STATES = (AdvocateState.ACTIVE, AdvocateState.PAUSED)
MESSAGES = {
    RejectionReason.SELF_REFERRAL: "The friend's email is the referrer's own.",
    RejectionReason.SAME_COMPANY: "The friend's email is at the referrer's own company domain ({domain}).",
    RejectionReason.KNOWN_PROSPECT: "This email is already known: {detail}.",
    RejectionReason.BURST: "More than {limit} submissions from this link within an hour.",
}


@dataclass
class Friend:
    name: str
    email: str
    company: str = ""


@dataclass
class Landing:
    code: str
    referrer_first_name: str
    referrer_company: str
    referrer_offer: str
    friend_offer: str


def new_token(nbytes: int = 9) -> str:
    return secrets.token_urlsafe(nbytes)


def new_discount_code() -> str:
    return "FRIEND-" + secrets.token_hex(5).upper()


def own_code(session: Session, *, advocate_id: int) -> ReferralCode | None:
    """The advocate's referral code if they have one yet (reads only)."""
    return session.scalars(select(ReferralCode).where(ReferralCode.advocate_id == advocate_id)).first()


def get_or_create_code(session: Session, *, advocate_id: int, now: datetime) -> ReferralCode:
    """The advocate's referral code, created on first use (a concurrent first use creates one)."""
    query = select(ReferralCode).where(ReferralCode.advocate_id == advocate_id)
    for _ in range(3):
        found = own_code(session, advocate_id=advocate_id)
        if found is not None:
            return found
        session.execute(dialect_insert(session)(ReferralCode).values(
            advocate_id=advocate_id, code=new_token(), created_at=now).on_conflict_do_nothing())
    return session.scalars(query).one()


def find_code(session: Session, code: str | None, *, for_update: bool = False) -> ReferralCode | None:
    """The code whose referrer is still in the program (active or paused), else None."""
    if not code or len(code) > 32:
        return None
    stmt = (select(ReferralCode).join(Advocate, Advocate.id == ReferralCode.advocate_id)
            .where(ReferralCode.code == code, Advocate.state.in_(LIVE_STATES)))
    if for_update:
        stmt = stmt.with_for_update(of=ReferralCode)
    return session.scalars(stmt).first()


def open_landing(session: Session, *, code: str) -> Landing:
    """What the landing page shows for `code`: the offer and the referrer's first name and company
    (never their email). Raises NotFound for an unknown code."""
    found = find_code(session, code)
    if found is None:
        raise NotFound("This referral link is not valid.")
    cfg = settings_service.load(session)
    referrer = found.advocate
    return Landing(found.code, (referrer.name or "").split(" ")[0], referrer.company,
                   cfg.referral_referrer_offer, cfg.referral_friend_offer)


def record_click(session: Session, *, code: str, client_hash: str, now: datetime) -> bool:
    """Count one visit of a referral link; False (nothing stored) for an unknown code."""
    found = find_code(session, code)
    if found is None:
        return False
    session.add(ReferralClick(code_id=found.id, client_hash=client_hash[:64], at=now))
    session.flush()
    return True


def _clean(friend: Friend) -> Friend:
    name, email, company = (friend.name or "").strip(), (friend.email or "").strip().lower(), \
        (friend.company or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed("Tell us your name (up to 120 characters).", field="name")
    if len(email) > 254 or not EMAIL_SHAPE.match(email):
        raise ValidationFailed("Enter an email address such as you@company.com.", field="email")
    if len(company) > 120:
        raise ValidationFailed("Up to 120 characters.", field="company")
    return Friend(name, email, company)


def canonical_email(email: str) -> str:
    """Lower case, without a +tag (and without dots for Gmail): one mailbox, one form."""
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def _count(session: Session, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(Referral).where(*conditions))


def _fraud(session: Session, code: ReferralCode, email: str, limit: int, now: datetime):
    """(reason, message) of the first fraud rule the email breaks, or None."""
    referrer = code.advocate
    if canonical_email(email) == canonical_email(referrer.email):
        return RejectionReason.SELF_REFERRAL, MESSAGES[RejectionReason.SELF_REFERRAL]
    domain = _domain(email)
    if domain == _domain(referrer.email) and domain not in FREE_MAIL_DOMAINS:
        return RejectionReason.SAME_COMPANY, MESSAGES[RejectionReason.SAME_COMPANY].format(domain=domain)
    if _count(session, Referral.code_id == code.id, Referral.created_at > now - timedelta(hours=1)) >= limit:
        return RejectionReason.BURST, MESSAGES[RejectionReason.BURST].format(limit=limit)
    known = _known(session, email)
    if known:
        return RejectionReason.KNOWN_PROSPECT, MESSAGES[RejectionReason.KNOWN_PROSPECT].format(detail=known)
    return None


def _known(session: Session, email: str) -> str | None:
    first = session.scalar(select(Referral.id).where(Referral.friend_email == email,
                                                     Referral.rejection_reason.is_(None)))
    if first is not None:
        return f"referral #{first} was first"
    if session.scalar(select(Advocate.id).where(Advocate.email == email)) is not None:
        return "this person is already an advocate"
    return None


def submit_referral(session: Session, *, code: str, friend: Friend, client_hash: str, now: datetime,
                    client_limit: int, client_window_minutes: int) -> Referral:
    """A friend's submission from the landing page: accepted (`submitted`, with a discount code, a
    welcome email and a note to the referrer) or stored as `rejected` with the fraud rule it broke.

    Raises ValidationFailed (bad input), RateLimited (this client sent `client_limit` submissions
    within the window) or NotFound (unknown code); none of them stores anything.
    """
    friend = _clean(friend)
    since = now - timedelta(minutes=client_window_minutes)
    if _count(session, Referral.client_hash == client_hash, Referral.created_at > since) >= client_limit:
        raise RateLimited(f"Too many sign-ups from this connection. Try again in {client_window_minutes} "
                          "minutes.")
    found = find_code(session, code, for_update=True)
    if found is None:
        raise NotFound("This referral link is not valid.")
    cfg = settings_service.load(session)
    values = dict(code_id=found.id, referrer_id=found.advocate_id, friend_name=friend.name,
                  friend_email=friend.email, friend_company=friend.company, client_hash=client_hash[:64],
                  created_at=now)
    fraud = _fraud(session, found, friend.email, cfg.referral_burst_per_hour, now)
    referral = _insert_accepted(session, values) if fraud is None else None
    if referral is None:
        reason, message = fraud or (RejectionReason.KNOWN_PROSPECT, MESSAGES[RejectionReason.KNOWN_PROSPECT]
                                    .format(detail="another submission of it was accepted first"))
        referral = Referral(state=ReferralState.REJECTED, rejection_reason=reason, rejection_message=message,
                            closed_at=now, **values)
        session.add(referral)
        session.flush()
    _record(session, referral, friend.name, now, referral.rejection_message)
    if referral.state == ReferralState.SUBMITTED:
        _welcome(session, referral, found.advocate, cfg, now)
        webhook_events.emit(session, "referral.created", pipeline.referral_data(referral, now), now)
    return referral


def _insert_accepted(session: Session, values: dict) -> Referral | None:
    """Insert the accepted referral; None if the email's unique index says someone was first."""
    referral = Referral(state=ReferralState.SUBMITTED, discount_code=new_discount_code(), **values)
    try:
        with session.begin_nested():
            session.add(referral)
    except IntegrityError:
        return None
    return referral


def _record(session: Session, referral: Referral, name: str, now: datetime, note: str | None) -> None:
    session.add(ReferralTransition(referral_id=referral.id, from_state=None, to_state=referral.state,
                                   actor_kind="prospect", actor_id=None, actor_name=name[:120], note=note,
                                   at=now))
    session.flush()


def _welcome(session: Session, referral: Referral, referrer: Advocate, cfg, now: datetime) -> None:
    first = (referrer.name or "").split(" ")[0]
    outbox.enqueue(session, dedupe_key=f"referral-welcome:{referral.id}", kind="referral_welcome",
                   to_email=referral.friend_email, subject=f"Your {cfg.program_name} discount code",
                   template="referral_welcome", now=now, context=dict(
                       name=referral.friend_name, referrer=first, company=referrer.company,
                       offer=cfg.referral_friend_offer, discount_code=referral.discount_code,
                       program=cfg.program_name))
    notifications.notify(session, kind="referral", title=f"{referral.friend_name} signed up with your link",
                         body="We will let you know when they qualify.", link="/portal/referrals",
                         dedupe_key=f"referral-submitted:{referral.id}", now=now,
                         advocate_id=referral.referrer_id)


def get_submitted(session: Session, *, referral_id: int | None, code: str) -> Referral:
    """The referral the thank-you page shows, if it came through `code`'s landing page."""
    referral = session.get(Referral, referral_id) if referral_id else None
    if referral is None or referral.code.code != code:
        raise NotFound("No such sign-up.")
    return referral
