"""Leaderboards from maintained totals, never by aggregating the ledger per request.

All time reads Advocate.lifetime_points; week and month read the PeriodTotal bucket for the
current calendar period in the program timezone. Ranking is competition style ("1, 2, 2, 4"):
rank = 1 + the number of advocates with more points, counted on the board's own index. Ties
are listed by who got there first. Everyone who earned points is counted; anyone who opted out
of public leaderboards, left the program or has not joined yet is shown as "Anonymous advocate"
(to everyone but themselves), so ranks add up without exposing them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, PeriodTotal, Status
from app.services.errors import ValidationFailed
from app.services.periods import period_start
from app.services.program import settings as settings_service

BOARDS = ("all", "month", "week")
ANONYMOUS = "Anonymous advocate"
ANONYMOUS_STATES = (AdvocateState.INVITED, AdvocateState.OPTED_OUT)


@dataclass
class Row:
    rank: int
    advocate_id: int
    name: str
    company: str
    points: int
    is_viewer: bool = False
    status: Status | None = None  # None for a hidden advocate (their badge is not shown either)
    avatar: str = ""  # their uploaded picture's token; "" for initials and for a hidden advocate


@dataclass
class Board:
    period: str
    starts: date | None
    rows: list[Row]
    viewer: Row | None


# What a board row shows of an advocate: read as plain columns, not as 50 whole Advocate models.
SHOWN = (Advocate.id, Advocate.name, Advocate.company, Advocate.leaderboard_opt_out, Advocate.state,
         Advocate.status, Advocate.avatar)


def _source(period: str, start: date | None):
    """(points column, tie-break column, base select of SHOWN) for a board."""
    if period == "all":
        base = select(*SHOWN).where(Advocate.lifetime_points > 0)
        return Advocate.lifetime_points, Advocate.last_scored_at, base
    base = (
        select(*SHOWN)
        .join(PeriodTotal, PeriodTotal.advocate_id == Advocate.id)
        .where(PeriodTotal.period == period, PeriodTotal.period_start == start, PeriodTotal.points > 0)
    )
    return PeriodTotal.points, PeriodTotal.last_scored_at, base


def _filtered(stmt, region: str | None, industry: str | None):
    if region:
        stmt = stmt.where(Advocate.region == region)
    if industry:
        stmt = stmt.where(Advocate.industry == industry)
    return stmt


def board(session: Session, *, period: str, now: datetime, viewer_id: int | None = None,
          limit: int | None = None, region: str | None = None, industry: str | None = None) -> Board:
    """The top of one board plus the viewer's own row (rank and points) wherever they stand."""
    if period not in BOARDS:
        raise ValidationFailed("Choose all, month or week.", field="period")
    cfg = settings_service.load(session)
    limit = limit or cfg.leaderboard_size
    start = None if period == "all" else period_start(now, cfg.timezone, period)
    points_col, tie_col, base = _source(period, start)
    stmt = _filtered(base, region, industry).add_columns(points_col)
    stmt = stmt.order_by(points_col.desc(), tie_col, Advocate.id).limit(limit)
    rows, rank, previous = [], 0, None
    for position, shown in enumerate(session.execute(stmt), start=1):
        points = shown[-1]
        if points != previous:
            rank, previous = position, points
        rows.append(_row(shown, rank, points, viewer_id))
    viewer = next((r for r in rows if r.is_viewer), None)
    if viewer is None and viewer_id is not None:
        viewer = _viewer_row(session, period, start, viewer_id, region, industry)
    return Board(period, start, rows, viewer)


def is_hidden(advocate) -> bool:
    """Whether the public sees this advocate as ANONYMOUS (opted out, left, or not joined yet)."""
    return advocate.leaderboard_opt_out or advocate.state in ANONYMOUS_STATES


def public_name(advocate) -> str:
    """The name the public sees (leaderboards, badge pages): ANONYMOUS when hidden."""
    return ANONYMOUS if is_hidden(advocate) else advocate.name


def _row(advocate, rank: int, points: int, viewer_id: int | None) -> Row:
    """`advocate`: an Advocate or a row with SHOWN's names."""
    is_viewer = advocate.id == viewer_id
    hidden = is_hidden(advocate) and not is_viewer
    return Row(rank, advocate.id, ANONYMOUS if hidden else advocate.name,
               "" if hidden else advocate.company, points, is_viewer, None if hidden else advocate.status,
               "" if hidden else advocate.avatar)


def _viewer_row(session, period, start, viewer_id, region, industry) -> Row | None:
    points_col, _, base = _source(period, start)
    mine = session.scalar(_filtered(base, region, industry).with_only_columns(points_col)
                          .where(Advocate.id == viewer_id))
    if not mine:
        return None
    if region or industry:
        ahead = session.scalar(_filtered(base, region, industry)
                               .with_only_columns(func.count()).where(points_col > mine))
    else:
        ahead = _count_ahead(session, period, start, mine)
    advocate = session.get(Advocate, viewer_id)
    return _row(advocate, ahead + 1, mine, viewer_id)


# The dashboard's rank and the all-time board's own rank: built once (a statement holds no data).
_AHEAD_ALL_TIME = select(func.count()).where(Advocate.lifetime_points > bindparam("mine"))


def _count_ahead(session: Session, period: str, start: date | None, mine: int) -> int:
    """How many advocates have more points on this board: an index-only count, no join."""
    if period == "all":
        return session.scalar(_AHEAD_ALL_TIME, {"mine": mine})
    return session.scalar(select(func.count()).select_from(PeriodTotal).where(
        PeriodTotal.period == period, PeriodTotal.period_start == start, PeriodTotal.points > mine))


def rank_all_time(session: Session, advocate: Advocate) -> int | None:
    """The advocate's all-time rank, or None before their first points."""
    if advocate.lifetime_points <= 0:
        return None
    return _count_ahead(session, "all", None, advocate.lifetime_points) + 1
