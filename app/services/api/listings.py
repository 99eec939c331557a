"""Keyset-paginated lists for the JSON API: filter, then `id > :after ORDER BY id LIMIT n + 1`.

Each filter has an index that ends in id (advocate state/status/readiness, attempt state and
mission; the others start with the filtered column), so a page reads about `limit` index
entries however many rows there are. The ledger is newest first (`id < :before`, descending).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Attempt,
    AttemptState,
    ContentItem,
    ContentUse,
    LedgerEntry,
    Mission,
    Redemption,
    Referral,
    Reward,
    Status,
)
from app.services.content import consent as content_consent
from app.services.content.items import filtered as content_filtered


@dataclass
class Page:
    rows: list
    has_more: bool

    @property
    def last_id(self) -> int | None:
        return self.rows[-1].id if self.rows else None


def _page(session: Session, stmt: Select, id_col, *, after: int | None, limit: int,
          newest_first: bool = False) -> Page:
    if after is not None:
        stmt = stmt.where(id_col < after if newest_first else id_col > after)
    stmt = stmt.order_by(id_col.desc() if newest_first else id_col).limit(limit + 1)
    rows = session.scalars(stmt).all()
    return Page(rows[:limit], len(rows) > limit)


def advocates(session: Session, *, after: int | None, limit: int, state: AdvocateState | None = None,
              status: Status | None = None, readiness: int | None = None, email: str | None = None) -> Page:
    stmt = select(Advocate)
    for column, value in ((Advocate.state, state), (Advocate.status, status),
                          (Advocate.readiness_tier, readiness)):
        if value is not None:
            stmt = stmt.where(column == value)
    if email:
        stmt = stmt.where(Advocate.email == email.strip().lower())
    return _page(session, stmt, Advocate.id, after=after, limit=limit)


def ledger(session: Session, *, advocate_id: int, before: int | None, limit: int) -> Page:
    stmt = select(LedgerEntry).where(LedgerEntry.advocate_id == advocate_id)
    return _page(session, stmt, LedgerEntry.id, after=before, limit=limit, newest_first=True)


def activities(session: Session, *, after: int | None, limit: int) -> Page:
    stmt = select(ActivityType).options(joinedload(ActivityType.reward_tier))
    return _page(session, stmt, ActivityType.id, after=after, limit=limit)


def missions(session: Session, *, after: int | None, limit: int, open_at: datetime | None = None) -> Page:
    """All missions, or (with `open_at`) those open at that moment and not archived."""
    stmt = select(Mission)
    if open_at is not None:
        stmt = stmt.where(Mission.archived.is_(False), Mission.opens_at <= open_at,
                          Mission.closes_at > open_at)
    return _page(session, stmt, Mission.id, after=after, limit=limit)


def attempts(session: Session, *, after: int | None, limit: int, advocate_id: int | None = None,
             mission_id: int | None = None, state: AttemptState | None = None) -> Page:
    stmt = select(Attempt)
    for column, value in ((Attempt.advocate_id, advocate_id), (Attempt.mission_id, mission_id),
                          (Attempt.state, state)):
        if value is not None:
            stmt = stmt.where(column == value)
    return _page(session, stmt, Attempt.id, after=after, limit=limit)


def referrals(session: Session, *, after: int | None, limit: int) -> Page:
    return _page(session, select(Referral), Referral.id, after=after, limit=limit)


def rewards(session: Session, *, after: int | None, limit: int) -> Page:
    return _page(session, select(Reward), Reward.id, after=after, limit=limit)


def redemptions(session: Session, *, after: int | None, limit: int, advocate_id: int | None = None) -> Page:
    stmt = select(Redemption)
    if advocate_id is not None:
        stmt = stmt.where(Redemption.advocate_id == advocate_id)
    return _page(session, stmt, Redemption.id, after=after, limit=limit)


@dataclass
class ListedContent:
    """A content item with the consent in force per use (what the API shows of it)."""

    item: object
    consents: dict

    @property
    def id(self) -> int:
        return self.item.id


def content_items(session: Session, *, after: int | None, limit: int, filters, use=None,
                  everything: bool = False) -> Page:
    """Content items by id. Unless `everything` (a staff key), only items usable now: approved and
    consented for `use`, or for at least one use when no use is given."""
    stmt = content_filtered(filters)
    if not everything:
        uses = [use] if use is not None else list(ContentUse)
        stmt = stmt.where(or_(*(content_consent.usable(u) for u in uses)))
    page = _page(session, stmt, ContentItem.id, after=after, limit=limit)
    current = content_consent.current_for(session, item_ids=[row.id for row in page.rows])
    return Page([ListedContent(row, current[row.id]) for row in page.rows], page.has_more)
