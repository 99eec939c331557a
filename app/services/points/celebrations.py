"""Celebrations: what the advocate earned, redeemed or was promoted to since the portal last showed it.

Each advocate carries two watermarks, the newest ledger entry and status change already celebrated.
`pending` reads what lies past them (earned points, a redeemed reward, a promotion) and `mark_seen`
moves the watermarks, so the next portal page shows each event exactly once; the edge commits.
"""

from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from app.models import Advocate, LedgerEntry, LedgerReason, StatusChange

_LIMIT = 5  # the newest few; older unseen ones are folded into the count


@dataclass(frozen=True)
class Celebration:
    kind: str  # "points", "reward" or "status"
    text: str
    status: str = ""  # the new status's value for a promotion (names its badge)


def _entry_text(entry: LedgerEntry) -> Celebration | None:
    what = entry.note.strip()
    if entry.reason is LedgerReason.REDEMPTION:
        return Celebration("reward", f"Reward redeemed: {what or 'your reward'} ({-entry.amount:,} points).")
    if entry.reason.counts_as_earned and entry.amount > 0:
        return Celebration("points", f"+{entry.amount:,} points" + (f" for {what}." if what else "."))
    return None


@dataclass(frozen=True)
class Pending:
    items: list[Celebration]
    ledger_id: int  # the newest entry and status change they cover (the watermarks to store)
    status_change_id: int


def pending(session: Session, *, advocate: Advocate) -> Pending | None:
    """The advocate's uncelebrated events (promotions first, then the newest points), or None.
    Reads only: two indexed look-ups past the watermarks."""
    entries = session.scalars(select(LedgerEntry).where(
        LedgerEntry.advocate_id == advocate.id, LedgerEntry.id > advocate.celebrated_ledger_id)
        .order_by(LedgerEntry.id)).all()
    changes = session.scalars(select(StatusChange).where(
        StatusChange.advocate_id == advocate.id, StatusChange.id > advocate.celebrated_status_change_id)
        .order_by(StatusChange.id)).all()
    if not entries and not changes:
        return None
    found = [Celebration("status", f"Promoted to {c.to_status.value.title()}! Your new status badge is on "
                                   "your status page.", c.to_status.value)
             for c in changes if c.to_status.rank > c.from_status.rank]
    found += [c for c in map(_entry_text, reversed(entries)) if c is not None][:_LIMIT]
    return Pending(found, entries[-1].id if entries else advocate.celebrated_ledger_id,
                   changes[-1].id if changes else advocate.celebrated_status_change_id)


def mark_seen(session: Session, *, advocate_id: int, seen: Pending) -> None:
    """Store the watermarks (never moving one back), so these events are not celebrated again."""
    table = Advocate.__table__
    session.execute(update(table).where(table.c.id == advocate_id).values(
        celebrated_ledger_id=_at_least(table.c.celebrated_ledger_id, seen.ledger_id),
        celebrated_status_change_id=_at_least(table.c.celebrated_status_change_id, seen.status_change_id)))


def _at_least(column, value: int):
    return case((column < value, value), else_=column)  # GREATEST on every dialect
