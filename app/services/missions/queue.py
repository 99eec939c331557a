"""The approval queue as staff work it: filtered, sorted pages that stay put while new submissions
arrive (keyset on (submitted_at, id), or (points, submitted_at, id)), the counts, and bulk decisions.

A bulk decision runs the single approve/reject service once per submission, each inside a savepoint
of the caller's transaction: one that somebody decided first (or a full mission) is skipped and
reported, the others still go through, and each award keeps its ledger key (mission-attempt:<id>), so a
repeated bulk form awards nothing twice.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.models import ActivityType, Advocate, Attempt, AttemptState, Mission, RewardTierBand, StaffUser
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.missions.attempts import approve_attempt, reject_attempt
from app.services.missions.scoring import points_for_mission

SORTS = ("oldest", "newest", "points")
AGES = {"new": None, "1": 1, "3": 3, "7": 7}  # "new": under a day; a number: waiting at least N days
OVERDUE_DAYS = 3
PAGE_SIZE = 25
BULK_LIMIT = 200
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # checked by their bytes


@dataclass(frozen=True)
class QueueFilters:
    activity_id: int | None = None
    age: str = ""
    advocate: str = ""
    company: str = ""
    sort: str = "oldest"


@dataclass
class QueueRow:
    attempt: Attempt
    points: int

    @property
    def link_domain(self) -> str:
        """The evidence link's host, shown plainly beside the link (what a reviewer checks first)."""
        try:
            host = urlsplit(self.attempt.evidence_link or "").hostname or ""
        except ValueError:
            return ""
        return host.removeprefix("www.")

    @property
    def has_image(self) -> bool:
        return bool(self.attempt.evidence_file) and self.attempt.evidence_mimetype in IMAGE_TYPES


@dataclass
class QueuePage:
    rows: list[QueueRow]
    matching: int  # waiting submissions that pass the filters
    waiting: int  # all waiting submissions
    overdue: int  # waiting at least OVERDUE_DAYS (all, unfiltered)
    before: int  # matching submissions on earlier pages
    next_cursor: str | None
    previous_cursor: str | None = None  # the previous page's `after`; None with `before` means the first page
    by_activity: dict[int, int] = field(default_factory=dict)


@dataclass
class BulkResult:
    decided: dict[int, int | None] = field(default_factory=dict)  # attempt id -> points (None: rejected)
    skipped: dict[int, str] = field(default_factory=dict)  # attempt id -> why

    @property
    def points(self) -> int:
        return sum(p or 0 for p in self.decided.values())


def _points():
    return func.coalesce(Mission.points_override, RewardTierBand.points)


def _filtered(stmt, filters: QueueFilters, now: datetime):
    stmt = stmt.where(Attempt.state == AttemptState.SUBMITTED)
    if filters.activity_id:
        stmt = stmt.where(Attempt.activity_id == filters.activity_id)
    if filters.age == "new":
        stmt = stmt.where(Attempt.submitted_at > now - timedelta(days=1))
    elif AGES.get(filters.age):
        stmt = stmt.where(Attempt.submitted_at <= now - timedelta(days=AGES[filters.age]))
    if filters.advocate or filters.company:
        stmt = stmt.join(Attempt.advocate)
    if filters.advocate:
        needle = f"%{_escape_like(filters.advocate.lower())}%"
        stmt = stmt.where(or_(func.lower(Advocate.name).like(needle, escape="\\"),
                              func.lower(Advocate.email).like(needle, escape="\\")))
    if filters.company:
        stmt = stmt.where(func.lower(Advocate.company).like(f"%{_escape_like(filters.company.lower())}%",
                                                            escape="\\"))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _with_points(stmt):
    return stmt.join(Attempt.mission).join(Mission.activity).join(ActivityType.reward_tier)


def _order(sort: str):
    if sort == "newest":
        return (Attempt.submitted_at.desc(), Attempt.id.desc())
    if sort == "points":
        return (_points().desc(), Attempt.submitted_at, Attempt.id)
    return (Attempt.submitted_at, Attempt.id)


def _after(sort: str, cursor: tuple):
    """Rows after `cursor` in the sort's order (the keyset predicate)."""
    if sort == "points":
        points, at, ident = cursor
        return or_(_points() < points, and_(_points() == points, _after("oldest", (at, ident))))
    at, ident = cursor
    if sort == "newest":
        return or_(Attempt.submitted_at < at, and_(Attempt.submitted_at == at, Attempt.id < ident))
    return or_(Attempt.submitted_at > at, and_(Attempt.submitted_at == at, Attempt.id > ident))


def _reversed(sort: str):
    if sort == "newest":
        return (Attempt.submitted_at, Attempt.id)
    if sort == "points":
        return (_points(), Attempt.submitted_at.desc(), Attempt.id.desc())
    return (Attempt.submitted_at.desc(), Attempt.id.desc())


def encode_cursor(sort: str, points: int, submitted_at: datetime, attempt_id: int) -> str:
    head = f"{points}." if sort == "points" else ""
    return f"{head}{submitted_at.strftime('%Y%m%d%H%M%S%f')}.{attempt_id}"


def decode_cursor(sort: str, text: str | None) -> tuple | None:
    """A cursor from a link; None (the first page) when it is missing or malformed."""
    parts = (text or "").split(".")
    try:
        if sort == "points" and len(parts) == 3:
            return int(parts[0]), datetime.strptime(parts[1], "%Y%m%d%H%M%S%f"), int(parts[2])
        if sort != "points" and len(parts) == 2:
            return datetime.strptime(parts[0], "%Y%m%d%H%M%S%f"), int(parts[1])
    except ValueError:
        return None
    return None


def queue_page(session: Session, *, filters: QueueFilters, now: datetime, cursor: str | None = None,
               size: int = PAGE_SIZE) -> QueuePage:
    """One page of waiting submissions with what each row shows (advocate, mission, activity, points)
    in one query, and the counts."""
    sort = filters.sort if filters.sort in SORTS else "oldest"
    position = decode_cursor(sort, cursor)
    stmt = _with_points(_filtered(select(Attempt, _points()), filters, now))
    if position is not None:
        stmt = stmt.where(_after(sort, position))
    stmt = stmt.options(joinedload(Attempt.advocate), contains_eager(Attempt.mission)
                        .contains_eager(Mission.activity).contains_eager(ActivityType.reward_tier),
                        contains_eager(Attempt.activity))
    found = session.execute(stmt.order_by(*_order(sort)).limit(size + 1)).unique().all()
    rows = [QueueRow(attempt, points) for attempt, points in found[:size]]
    count = select(func.count()).select_from(Attempt)
    matching = session.scalar(_filtered(count, filters, now))
    before, previous = 0, None
    if position is not None:
        earlier = _filtered(count, filters, now).where(~_after(sort, position))
        before = session.scalar(_with_points(earlier) if sort == "points" else earlier)
        previous = _previous_cursor(session, filters, now, sort, position, size)
    by_activity = _by_activity(session)
    last = rows[-1] if len(found) > size else None
    following = last and encode_cursor(sort, last.points, last.attempt.submitted_at, last.attempt.id)
    return QueuePage(rows=rows, matching=matching, waiting=sum(by_activity.values()),
                     overdue=_count_waiting(session, older_than=now - timedelta(days=OVERDUE_DAYS)),
                     before=before, next_cursor=following, previous_cursor=previous, by_activity=by_activity)


def _previous_cursor(session: Session, filters: QueueFilters, now: datetime, sort: str, position: tuple,
                     size: int) -> str | None:
    """The `after` of the page before the one at `position`: the row just ahead of the `size` rows that
    come before it; None when those rows begin the list (the previous page is the first)."""
    earlier = _with_points(_filtered(select(_points(), Attempt.submitted_at, Attempt.id), filters, now))
    found = session.execute(earlier.where(~_after(sort, position)).order_by(*_reversed(sort))
                            .offset(size).limit(1)).first()
    return encode_cursor(sort, *found) if found else None


def _count_waiting(session: Session, *, older_than: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.state == AttemptState.SUBMITTED, Attempt.submitted_at <= older_than))


def _by_activity(session: Session) -> dict[int, int]:
    return dict(session.execute(select(Attempt.activity_id, func.count()).where(
        Attempt.state == AttemptState.SUBMITTED).group_by(Attempt.activity_id)).all())


def row_points(attempt: Attempt) -> int:
    return points_for_mission(attempt.mission)


def bulk_decide(session: Session, *, staff: StaffUser, attempt_ids: list[int], approve: bool,
                reason: str | None, now: datetime) -> BulkResult:
    """Approve (reason: an optional note) or reject (reason required) each of `attempt_ids` through the
    single-submission services, each in its own savepoint; flushes, never commits."""
    reason = (reason or "").strip() or None
    if not attempt_ids:
        raise ValidationFailed("Select at least one submission.", field="ids")
    if len(attempt_ids) > BULK_LIMIT:
        raise ValidationFailed(f"Select at most {BULK_LIMIT} submissions at once.", field="ids")
    if not approve and reason is None:
        raise ValidationFailed("Give the advocates a reason.", field="reason")
    result = BulkResult()
    for attempt_id in sorted(set(attempt_ids)):  # each once; in id order, so two bulk forms lock alike
        try:
            with session.begin_nested():
                if approve:
                    attempt = approve_attempt(session, staff=staff, attempt_id=attempt_id, now=now,
                                              note=reason)
                    result.decided[attempt_id] = attempt.points_awarded
                else:
                    reject_attempt(session, staff=staff, attempt_id=attempt_id, reason=reason, now=now)
                    result.decided[attempt_id] = None
        except (Conflict, NotFound) as error:
            result.skipped[attempt_id] = error.message
    return result
