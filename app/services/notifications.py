"""In-app notifications for advocates."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import Notification


def unread_count(session: Session, *, advocate_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.advocate_id == advocate_id, Notification.read_at.is_(None)))


def recent(session: Session, *, advocate_id: int, limit: int = 30) -> list[Notification]:
    return session.scalars(select(Notification).where(Notification.advocate_id == advocate_id)
                           .order_by(Notification.id.desc()).limit(limit)).all()


def mark_all_read(session: Session, *, advocate_id: int, now: datetime) -> int:
    result = session.execute(update(Notification).where(
        Notification.advocate_id == advocate_id, Notification.read_at.is_(None)).values(read_at=now))
    return result.rowcount
