"""Erasing an advocate's personal data at their request (SPEC §1): pseudonymise, keep the ledger whole.

What goes: the name becomes "Erased advocate" and the email a unique address that cannot be
delivered; company, title, industry, size, region, tags, external id, customer-since, NPS,
health, readiness, the customer signals, the password hash, every attempt's evidence (text, link,
file), their picture and their content library items' words (consent withdrawn, out of the feed,
archived) are cleared; their reference choice goes and the feedback they left on reference calls is blanked;
their notifications are deleted and emails to them blanked (an unsent one is marked failed, so it
never goes); their sign-in failures and invitations lose the address. The
old name and email are also replaced wherever other rows quote them (staff notifications and
emails, decision reasons, transition names, stored API responses). The account becomes opted_out
with `erased_at` stamped, so no session of theirs works any more. Their badges are revoked: the revoked
assertion shows no recipient and the verification page no name.

What stays: ledger entries (append-only; their notes are the program's wording), the cached
balance and lifetime points, status history, attempts' states and points, redemptions and the
referrals they made (the friends' own details are the friends', not theirs): `flask points
verify` stays clean and the program's figures do not move.
"""

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.models import (
    AccountEvent,
    Advocate,
    AdvocateState,
    Attempt,
    AttemptTransition,
    BadgeAssertion,
    CustomerSignal,
    EventKind,
    EventSource,
    IdempotencyRecord,
    Invite,
    LoginSession,
    Notification,
    OutboxMessage,
    PasswordReset,
    ReferenceAsk,
    ReferenceFeedback,
    ReferenceProfile,
    Referral,
    ReferralTransition,
    StatusChange,
    TriggerEvent,
)
from app.models.signals import ON_ADVOCATE
from app.services import badges, content
from app.services.errors import Conflict, ValidationFailed
from app.services.people import lifecycle, passwords

ERASED_NAME = "Erased advocate"
ERASED_BADGE = "The holder's personal data was erased."
PSEUDONYM_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606): nothing can be delivered
CLEARED = {"external_id": None, "company": "", "title": "", "industry": "", "company_size": "", "region": "",
           "tags": [], **{name: None for name in ON_ADVOCATE}, "readiness_tier": None,
           "readiness_score": None, "eligible": False, "password_hash": None, "email_opt_outs": [],
           "leaderboard_opt_out": True, "avatar": ""}
# Text columns of other rows that may quote an advocate's name or email.
QUOTING = (Notification.title, Notification.body, OutboxMessage.subject, OutboxMessage.body_text,
           OutboxMessage.body_html, Attempt.decision_reason, AttemptTransition.actor_name,
           AttemptTransition.reason, StatusChange.reason, AccountEvent.reason, IdempotencyRecord.body,
           TriggerEvent.detail, Referral.rejection_message, ReferralTransition.note,
           BadgeAssertion.revocation_reason, ReferenceFeedback.text)


@dataclass
class Erasure:
    advocate: Advocate
    files: list[str]  # stored evidence files for the caller to delete after the commit
    picture: str = ""  # their uploaded picture (services.people.avatars), likewise


def erase_my_data(session: Session, *, advocate: Advocate, password: str, now: datetime) -> Erasure:
    """The signed-in advocate erases their personal data, confirming with their current password.

    ValidationFailed (field password) for a wrong password; Conflict if already erased."""
    if advocate.erased_at is not None:
        raise Conflict("Your personal data has already been erased.")
    if not passwords.verify_password(advocate.password_hash, password or ""):
        raise ValidationFailed("That is not your current password.", field="password")
    return erase_advocate(session, advocate=advocate, now=now)


def erase_advocate(session: Session, *, advocate: Advocate, now: datetime) -> Erasure:
    """Pseudonymise one advocate (see the module docstring); flushes, the caller commits."""
    old_name, old_email, old_company = advocate.name, advocate.email, advocate.company
    picture = advocate.avatar
    badges.revoke_all(session, advocate_id=advocate.id, reason=ERASED_BADGE, now=now)
    if advocate.state != AdvocateState.OPTED_OUT:
        lifecycle.change_advocate(session, advocate=advocate, changes=lifecycle.Changes(
            state=AdvocateState.OPTED_OUT, reason="Asked for their personal data to be erased."),
            actor=None, source=EventSource.ADVOCATE, now=now)
    pseudonym = f"erased-{advocate.id}-{secrets.token_hex(6)}@{PSEUDONYM_DOMAIN}"
    advocate.name, advocate.email, advocate.erased_at = ERASED_NAME, pseudonym, now
    for name, value in CLEARED.items():
        setattr(advocate, name, value)
    session.execute(delete(CustomerSignal).where(CustomerSignal.advocate_id == advocate.id))
    files = _clear_evidence(session, advocate.id)
    content.erase_author(session, advocate_id=advocate.id, now=now)
    _forget_references(session, advocate.id)
    _forget_messages(session, advocate.id, old_email, pseudonym, now)
    for column in QUOTING:
        _scrub(session, column, [old_email, old_name])
    # The welcome emails to the friends they referred name them by first name and company.
    welcomes = [f"referral-welcome:{referral_id}" for referral_id in session.scalars(
        select(Referral.id).where(Referral.referrer_id == advocate.id))]
    for column in (OutboxMessage.body_text, OutboxMessage.body_html):
        _scrub(session, column, [old_name.split(" ")[0], old_company], OutboxMessage.dedupe_key.in_(welcomes))
    session.add(AccountEvent(advocate_id=advocate.id, actor_id=None, source=EventSource.ADVOCATE,
                             kind=EventKind.ERASED, reason="Personal data erased at their request.", at=now))
    session.flush()
    return Erasure(advocate, files, picture)


def _forget_references(session: Session, advocate_id: int) -> None:
    session.execute(delete(ReferenceProfile).where(ReferenceProfile.advocate_id == advocate_id))
    theirs = select(ReferenceAsk.id).where(ReferenceAsk.advocate_id == advocate_id)
    session.execute(update(ReferenceFeedback).where(ReferenceFeedback.side == "advocate",
                                                    ReferenceFeedback.ask_id.in_(theirs))
                    .values(text="", author=ERASED_NAME))


def _clear_evidence(session: Session, advocate_id: int) -> list[str]:
    files = list(session.scalars(select(Attempt.evidence_file).where(
        Attempt.advocate_id == advocate_id, Attempt.evidence_file.is_not(None))))
    session.execute(update(Attempt).where(Attempt.advocate_id == advocate_id).values(
        evidence_link=None, evidence_text=None, evidence_file=None, evidence_filename=None,
        evidence_mimetype=None).execution_options(synchronize_session="fetch"))
    return files


def _forget_messages(session: Session, advocate_id: int, old_email: str, pseudonym: str,
                     now: datetime) -> None:
    session.execute(delete(Notification).where(Notification.advocate_id == advocate_id)
                    .execution_options(synchronize_session="fetch"))
    theirs = or_(OutboxMessage.advocate_id == advocate_id, func.lower(OutboxMessage.to_email) == old_email)
    session.execute(update(OutboxMessage).where(theirs).values(
        to_email=pseudonym, subject="(erased)", body_text="", body_html="")
        .execution_options(synchronize_session="fetch"))
    session.execute(update(OutboxMessage).where(theirs, OutboxMessage.sent_at.is_(None),
                                                OutboxMessage.failed_at.is_(None))
                    .values(failed_at=now, claimed_until=None, last_error="The recipient's data was erased.")
                    .execution_options(synchronize_session="fetch"))
    # Sign-in records name the browser (address, user agent) and may outlive the account's sessions.
    session.execute(delete(LoginSession).where(LoginSession.advocate_id == advocate_id))
    session.execute(delete(PasswordReset).where(PasswordReset.advocate_id == advocate_id))
    session.execute(update(Invite).where(or_(Invite.advocate_id == advocate_id, Invite.email == old_email))
                    .values(email=pseudonym, revoked_at=func.coalesce(Invite.revoked_at, now))
                    .execution_options(synchronize_session="fetch"))


def _scrub(session: Session, column, needles: list[str], *where) -> None:
    """Replace each needle (case-insensitively, also as it is escaped inside JSON) in one text column
    (of the rows `where` selects)."""
    variants = {v for needle in needles if needle for v in (needle, json.dumps(needle)[1:-1])}
    if not variants:
        return
    pattern = re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)), re.I)
    model = column.class_
    key = model.__mapper__.primary_key[0]
    found = session.execute(select(key, column).where(*where, or_(*(
        func.lower(column).contains(v.lower(), autoescape=True) for v in variants)))).all()
    for pk, text in found:
        session.execute(update(model).where(key == pk).values({column.key: pattern.sub(ERASED_NAME, text)})
                        .execution_options(synchronize_session="fetch"))
