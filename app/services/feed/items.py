"""Feed items: recorded once per source (kind + subject), read newest first a page at a time.

Who an item is about is decided when it is read: an advocate who opted out of the leaderboard (or
has not joined yet) shows as ANONYMOUS with no company to everyone but themselves, and an advocate
who left the program or was erased is not shown at all. Hidden items are left out for everyone but
staff. Pages are keyset pages on (occurred_at, id), so new items arriving do not shift later pages.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, Attempt, FeedItem, Mission
from app.services.errors import NotFound, ValidationFailed
from app.services.program import settings as settings_service

ANONYMOUS = "Anonymous advocate"
KINDS = ("promotion", "badge", "mission", "testimonial")
PAGE_SIZE = 20
MAX_TEXT = 300


@dataclass
class Entry:
    id: int
    kind: str
    name: str
    company: str
    text: str
    occurred_at: datetime
    is_viewer: bool = False
    hidden: bool = False
    advocate_id: int | None = None  # staff lists; in the portal only with `avatar` (it names the picture)
    avatar: str = ""  # the portal's picture token; "" for initials and whenever the advocate is anonymous
    public_as: str = ""  # staff lists only: how the public sees the advocate


@dataclass
class Page:
    entries: list[Entry]
    next_cursor: str | None


def record(session: Session, *, kind: str, advocate_id: int, subject: str, text: str,
           occurred_at: datetime) -> FeedItem:
    """Write the item for `subject` once (a second call returns the first row, unchanged)."""
    if kind not in KINDS:
        raise ValidationFailed(f"Unknown feed item kind {kind!r}.", field="kind")
    text = " ".join((text or "").split())
    if not text or not subject:
        raise ValidationFailed("A feed item needs a subject and a text.", field="text")
    found = session.scalar(select(FeedItem).where(FeedItem.kind == kind, FeedItem.subject == subject))
    if found is not None:
        return found
    item = FeedItem(kind=kind, subject=subject[:80], advocate_id=advocate_id, text=text[:MAX_TEXT],
                    occurred_at=occurred_at)
    session.add(item)
    session.flush()
    return item


def retract(session: Session, *, kind: str, subject: str) -> bool:
    """Remove the item of `subject` (e.g. a testimonial unpublished); False if there was none."""
    result = session.execute(delete(FeedItem).where(FeedItem.kind == kind, FeedItem.subject == subject)
                             .execution_options(synchronize_session="fetch"))
    return result.rowcount > 0


def record_approved_attempt(session: Session, *, attempt: Attempt, mission: Mission,
                            now: datetime) -> FeedItem | None:
    """An approved mission makes an item if its activity kind is public (setting feed_public_kinds)."""
    public = settings_service.load(session).feed_public_kinds
    if mission.activity.kind.value not in public:
        return None
    return record(session, kind="mission", advocate_id=attempt.advocate_id, subject=f"attempt:{attempt.id}",
                  text=f"completed “{mission.title}”", occurred_at=now)


def _set_hidden(session: Session, item_id: int, hidden_at: datetime | None, staff_id: int | None) -> FeedItem:
    item = session.get(FeedItem, item_id)
    if item is None:
        raise NotFound("No such feed item.")
    item.hidden_at, item.hidden_by_id = hidden_at, staff_id
    session.flush()
    return item


def hide(session: Session, *, item_id: int, staff_id: int, now: datetime) -> FeedItem:
    """Take an item off the portal and every embed at once (staff may unhide it)."""
    item = session.get(FeedItem, item_id)
    if item is not None and item.hidden_at is not None:
        return item
    return _set_hidden(session, item_id, now, staff_id)


def unhide(session: Session, *, item_id: int) -> FeedItem:
    return _set_hidden(session, item_id, None, None)


def _cursor(item_at: datetime, item_id: int) -> str:
    return f"{item_at.isoformat()}~{item_id}"


def _after(cursor: str | None):
    """The keyset condition for the page after `cursor`; None (first page) for no or a bad cursor."""
    if not cursor:
        return None
    try:
        at, _, item_id = cursor.partition("~")
        key = (datetime.fromisoformat(at), int(item_id))
    except ValueError:
        return None
    return tuple_(FeedItem.occurred_at, FeedItem.id) < key


SHOWN = (FeedItem.id, FeedItem.kind, FeedItem.text, FeedItem.occurred_at, FeedItem.hidden_at,
         FeedItem.advocate_id, Advocate.name, Advocate.company, Advocate.leaderboard_opt_out, Advocate.state,
         Advocate.avatar)
GONE = or_(Advocate.state == AdvocateState.OPTED_OUT, Advocate.erased_at.is_not(None))


def page(session: Session, *, viewer_id: int | None = None, cursor: str | None = None,
         size: int = PAGE_SIZE, staff: bool = False, region: str | None = None,
         industry: str | None = None) -> Page:
    """One page, newest first. Public (staff=False): no hidden items, no advocate who left or was
    erased, opted-out advocates anonymous. Staff: every item, with real names and how the public sees it."""
    stmt = select(*SHOWN).join(Advocate, Advocate.id == FeedItem.advocate_id)
    if not staff:
        stmt = stmt.where(FeedItem.hidden_at.is_(None), ~GONE)
    if region:
        stmt = stmt.where(Advocate.region == region)
    if industry:
        stmt = stmt.where(Advocate.industry == industry)
    if (after := _after(cursor)) is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(FeedItem.occurred_at.desc(), FeedItem.id.desc()).limit(size + 1)
    rows = session.execute(stmt).all()
    entries = [_entry(row, viewer_id, staff) for row in rows[:size]]
    more = len(rows) > size
    return Page(entries, _cursor(rows[size - 1].occurred_at, rows[size - 1].id) if more else None)


def _public_as(row) -> str:
    if row.state == AdvocateState.OPTED_OUT:
        return "not shown (left the program)"
    if row.leaderboard_opt_out or row.state == AdvocateState.INVITED:
        return ANONYMOUS
    return row.name


def _entry(row, viewer_id: int | None, staff: bool) -> Entry:
    public_as = _public_as(row)
    if staff:
        return Entry(row.id, row.kind, row.name, row.company or "", row.text, row.occurred_at,
                     hidden=row.hidden_at is not None, advocate_id=row.advocate_id, public_as=public_as)
    is_viewer = row.advocate_id == viewer_id
    anonymous = public_as == ANONYMOUS and not is_viewer
    if anonymous:
        return Entry(row.id, row.kind, ANONYMOUS, "", row.text, row.occurred_at)
    return Entry(row.id, row.kind, row.name, row.company or "", row.text, row.occurred_at,
                 is_viewer=is_viewer, advocate_id=row.advocate_id if row.avatar else None, avatar=row.avatar)
