"""In-app notifications for advocates and staff."""

from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import Notification


def _one(advocate_id: int | None, staff_id: int | None) -> tuple[str, int]:
    """(the recipient column, the id) of exactly one of the two ids."""
    if (advocate_id is None) == (staff_id is None):
        raise ValueError("Give exactly one of advocate_id and staff_id.")
    return ("advocate_id", advocate_id) if staff_id is None else ("staff_id", staff_id)


def _recipient(advocate_id: int | None, staff_id: int | None):
    """The WHERE condition for one recipient's notifications: exactly one of the two ids."""
    column, value = _one(advocate_id, staff_id)
    return getattr(Notification, column) == value


def recipient_of(user) -> dict[str, int]:
    """The recipient keyword (`advocate_id=` or `staff_id=`) for a signed-in advocate or staff user."""
    return {"staff_id": user.id} if user.is_staff else {"advocate_id": user.id}


# Every page shows the count, so its statement is built once per recipient column (it holds no data;
# building it and its cache key cost more than SQLite takes to count).
_UNREAD = {column: select(func.count()).select_from(Notification).where(
    getattr(Notification, column) == bindparam("recipient"), Notification.read_at.is_(None))
    for column in ("advocate_id", "staff_id")}


def unread_count(session: Session, *, advocate_id: int | None = None, staff_id: int | None = None) -> int:
    """Unread notifications of one advocate or one staff user (one indexed COUNT)."""
    column, value = _one(advocate_id, staff_id)
    return session.scalar(_UNREAD[column], {"recipient": value})


def recent(session: Session, *, advocate_id: int | None = None, staff_id: int | None = None,
           limit: int = 30) -> list[Notification]:
    """The newest notifications of one advocate or one staff user: newest first, by the time they
    were made (a backfilled one sorts by its time, not its id), equal times by id."""
    return session.scalars(select(Notification).where(_recipient(advocate_id, staff_id))
                           .order_by(Notification.created_at.desc(), Notification.id.desc())
                           .limit(limit)).all()


def mark_all_read(session: Session, *, now: datetime, advocate_id: int | None = None,
                  staff_id: int | None = None) -> int:
    """Mark one recipient's unread notifications read; returns how many."""
    result = session.execute(update(Notification).where(
        _recipient(advocate_id, staff_id), Notification.read_at.is_(None)).values(read_at=now))
    return result.rowcount


def notify(session: Session, *, kind: str, title: str, body: str, link: str | None, dedupe_key: str,
           now: datetime, advocate_id: int | None = None, staff_id: int | None = None) -> bool:
    """Write an in-app notification once per `dedupe_key`; False if it already existed."""
    stmt = dialect_insert(session)(Notification).values(
        advocate_id=advocate_id, staff_id=staff_id, kind=kind, title=title, body=body, link=link,
        dedupe_key=dedupe_key, created_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id)
    return session.execute(stmt).scalar() is not None
