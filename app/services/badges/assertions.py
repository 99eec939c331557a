"""Badge assertions: issued with each promotion, revoked when staff lower the status below them.

Every status change calls `settle` in its own transaction (points.status), so a status and its badge
appear together: a promotion issues the new status's badge, a lowered status revokes every live
assertion above it and issues the lowered status's badge if the advocate holds none (Bronze, the
joining status, has no badge).
Leaving the program or being erased revokes every live assertion (people.lifecycle, people.erasure);
staff bringing an advocate back issues their status's badge again.
An assertion is never deleted: a revoked one stays, marked, and is listed in the revocation list.
"""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, BadgeAssertion, Status
from app.services import feed
from app.services.errors import NotFound


def settle(session: Session, *, advocate: Advocate, reason: str, now: datetime) -> list[BadgeAssertion]:
    """Make the advocate's live badges match their (new) status; returns the assertions issued.
    A badge issued on a rise goes into the community feed; one issued on a lowering does not."""
    lowered = revoke_above(session, advocate_id=advocate.id, status=advocate.status, reason=reason, now=now)
    if advocate.status == Status.BRONZE or session.scalar(select(BadgeAssertion.id).where(
            BadgeAssertion.advocate_id == advocate.id, BadgeAssertion.status == advocate.status,
            BadgeAssertion.revoked_at.is_(None))):
        return []
    assertion = issue(session, advocate=advocate, status=advocate.status, now=now)
    if not lowered:
        feed.record(session, kind="badge", advocate_id=advocate.id, subject=f"badge:{assertion.uid}",
                    text=f"earned the verifiable {assertion.status.label} badge", occurred_at=now)
    return [assertion]


def issue(session: Session, *, advocate: Advocate, status: Status, now: datetime) -> BadgeAssertion:
    """A new assertion that `advocate` holds `status` from `now` (flushed, not committed)."""
    assertion = BadgeAssertion(uid=secrets.token_urlsafe(16), advocate_id=advocate.id, status=status,
                               salt=secrets.token_hex(8), issued_at=now, revocation_reason="")
    session.add(assertion)
    session.flush()
    return assertion


def revoke_above(session: Session, *, advocate_id: int, status: Status, reason: str,
                 now: datetime) -> list[BadgeAssertion]:
    """Revoke the advocate's live assertions of statuses above `status`; returns those revoked."""
    above = [s for s in Status if s.rank > status.rank]
    live = session.scalars(select(BadgeAssertion).where(
        BadgeAssertion.advocate_id == advocate_id, BadgeAssertion.status.in_(above),
        BadgeAssertion.revoked_at.is_(None))).all()
    for assertion in live:
        assertion.revoked_at, assertion.revocation_reason = now, reason
        feed.retract(session, kind="badge", subject=f"badge:{assertion.uid}")
    session.flush()
    return list(live)


def revoke_all(session: Session, *, advocate_id: int, reason: str, now: datetime) -> list[BadgeAssertion]:
    """Revoke every live assertion of the advocate (they left the program or were erased)."""
    live = session.scalars(select(BadgeAssertion).where(BadgeAssertion.advocate_id == advocate_id,
                                                        BadgeAssertion.revoked_at.is_(None))).all()
    for assertion in live:
        assertion.revoked_at, assertion.revocation_reason = now, reason
    session.flush()
    return list(live)


def backfill(session: Session, *, now: datetime) -> tuple[int, int]:
    """Issue the status badge of every member at Silver or above who holds no live one (those who
    reached it before badges existed). Idempotent; returns (issued, already held). Advocates who left
    or were erased get none."""
    ranked = [s for s in Status if s.rank > Status.BRONZE.rank]
    holders = select(BadgeAssertion.id).where(BadgeAssertion.advocate_id == Advocate.id,
                                              BadgeAssertion.status == Advocate.status,
                                              BadgeAssertion.revoked_at.is_(None)).exists()
    members = (Advocate.status.in_(ranked), Advocate.state != AdvocateState.OPTED_OUT,
               Advocate.erased_at.is_(None))
    held = session.scalar(select(func.count(Advocate.id)).where(*members, holders))
    missing = session.scalars(select(Advocate).where(*members, ~holders).order_by(Advocate.id)).all()
    for advocate in missing:
        issue(session, advocate=advocate, status=advocate.status, now=now)
    return len(missing), held


def find(session: Session, *, uid: str) -> BadgeAssertion:
    assertion = session.scalar(select(BadgeAssertion).where(BadgeAssertion.uid == uid))
    if assertion is None:
        raise NotFound("No such badge.")
    return assertion


def for_advocate(session: Session, *, advocate_id: int) -> list[BadgeAssertion]:
    """The advocate's assertions, newest first (revoked ones included, marked)."""
    return session.scalars(select(BadgeAssertion).where(BadgeAssertion.advocate_id == advocate_id)
                           .order_by(BadgeAssertion.issued_at.desc(), BadgeAssertion.id.desc())).all()


def revoked(session: Session) -> list[BadgeAssertion]:
    """Every revoked assertion, oldest revocation first (the revocation list)."""
    return session.scalars(select(BadgeAssertion).where(BadgeAssertion.revoked_at.is_not(None))
                           .order_by(BadgeAssertion.revoked_at, BadgeAssertion.id)).all()


def hashed_email(email: str, salt: str) -> str:
    """The Open Badges recipient identity: sha256 of the lower-cased email and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
