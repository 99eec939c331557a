"""The timed parts of the benchmark: leaderboards, the advocate dashboard, idempotent awards."""

import math
import random
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, LedgerEntry, LedgerReason, PeriodTotal, Status
from app.services.periods import period_start
from app.services.points import leaderboards, ledger
from app.services.program import settings as settings_service
from tests.conftest import session_token


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def board_p95(session: Session, *, period: str, now: datetime, advocates: int, rng: random.Random,
              calls: int = 200) -> float:
    """p95 of one board read (top 50 plus a random viewer's own row and rank)."""
    samples = []
    for n in range(calls + 10):
        viewer = rng.randint(1, advocates)
        started = time.perf_counter()
        result = leaderboards.board(session, period=period, now=now, viewer_id=viewer, limit=50)
        elapsed = time.perf_counter() - started
        assert len(result.rows) == 50, (period, len(result.rows))
        session.rollback()
        session.expunge_all()
        if n >= 10:  # the first few warm the page cache and the statement caches
            samples.append(elapsed)
    return p95_ms(samples)


def bronze_advocate(session: Session) -> Advocate:
    """An active Bronze advocate from the middle of the pack (so their rank takes real counting)."""
    median = session.scalar(select(Advocate.lifetime_points).where(Advocate.status == Status.BRONZE)
                            .order_by(Advocate.lifetime_points)
                            .offset(session.scalar(select(func.count()).select_from(Advocate)) // 3)
                            .limit(1))
    return session.scalars(select(Advocate).where(
        Advocate.status == Status.BRONZE, Advocate.state == AdvocateState.ACTIVE,
        Advocate.lifetime_points >= median).order_by(Advocate.lifetime_points, Advocate.id).limit(1)).one()


def page_viewer(session: Session, now: datetime) -> Advocate:
    """An active advocate from the middle of this month's board, and on the all-time board (far down
    it at the bench's data: ~77,000th at full scale), so the page's own-rank counts take real counting."""
    start = period_start(now, settings_service.load(session).timezone, "month")
    month = (select(PeriodTotal.advocate_id, PeriodTotal.points)
             .where(PeriodTotal.period == "month", PeriodTotal.period_start == start, PeriodTotal.points > 0))
    on_board = session.scalar(select(func.count()).select_from(month.subquery()))
    middle = session.scalar(month.with_only_columns(PeriodTotal.points).order_by(PeriodTotal.points)
                            .offset(on_board // 2).limit(1))
    return session.scalars(
        select(Advocate).join(PeriodTotal, PeriodTotal.advocate_id == Advocate.id)
        .where(PeriodTotal.period == "month", PeriodTotal.period_start == start, PeriodTotal.points >= middle,
               Advocate.state == AdvocateState.ACTIVE, Advocate.lifetime_points > 0)
        .order_by(PeriodTotal.points, Advocate.id).limit(1)).one()


def dashboard_p95(app, advocate: Advocate, requests: int = 200) -> float:
    return page_p95(app, advocate, "/portal/", requests=requests)


def leaderboard_page_p95(app, advocate: Advocate, *, period: str, requests: int = 200) -> float:
    """p95 of the whole portal leaderboard page (filter options, top of the board, the viewer's own
    rank and row, the template), signed in as `advocate`, who must be on that board."""
    mine = f'{advocate.name} <span class="pill">You</span>'.encode()
    return page_p95(app, advocate, f"/portal/leaderboard?period={period}", requests=requests,
                    expect=(b"Your rank: <strong>#", mine))


def page_p95(app, advocate: Advocate, path: str, *, requests: int = 200,
             expect: tuple[bytes, ...] = ()) -> float:
    """p95 of one page through the test client, signed in as `advocate`. Each request gets its own app
    context, as under a server: its own database session and its own `g`, so the sign-in is looked up
    every time (in the bench's app context `g` would keep the first request's user for all of them)."""
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_token(advocate)
        sess["_fresh"] = True
    samples = []
    for n in range(requests + 10):
        started = time.perf_counter()
        with app.app_context():
            response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        assert all(text in response.data for text in expect), (path, expect)
        if n >= 10:
            samples.append(elapsed)
    return p95_ms(samples)


def awards_per_second(session: Session, *, advocates: int, now: datetime, rng: random.Random,
                      seconds: float = 4.0, per_commit: int = 1, label: str = "bench-award") -> float:
    """New-key awards per second, committing every `per_commit` awards (1: one transaction per
    award, as a web request does); every tenth post repeats a key and must not award."""
    created, repeats, n = 0, 0, 0
    touched: set[int] = set()
    started = time.perf_counter()
    while time.perf_counter() - started < seconds or n % per_commit:
        n += 1
        repeat = n % 10 == 0
        key = f"{label}:{n - 5 if repeat else n}"
        advocate_id = rng.randint(1, advocates)
        result = ledger.post_entry(session, advocate_id=advocate_id, amount=50, reason=LedgerReason.BONUS,
                                   idempotency_key=key, now=now, note="Bench award")
        if n % per_commit == 0:
            session.commit()
        assert result.created is not repeat, key
        if repeat:
            repeats += 1
        else:
            created += 1
            touched.add(advocate_id)
    elapsed = time.perf_counter() - started
    assert created == session.scalar(select(func.count()).select_from(LedgerEntry)
                                     .where(LedgerEntry.idempotency_key.like(f"{label}:%")))
    assert_consistent(session, touched)
    return created / elapsed


def assert_consistent(session: Session, advocate_ids) -> None:
    """Cached balance and lifetime equal the ledger sums for these advocates."""
    ids = list(advocate_ids)
    for first in range(0, len(ids), 500):
        some = ids[first:first + 500]
        sums = dict(session.execute(select(LedgerEntry.advocate_id, func.sum(LedgerEntry.amount))
                                    .where(LedgerEntry.advocate_id.in_(some))
                                    .group_by(LedgerEntry.advocate_id)).all())
        for advocate_id, balance in session.execute(select(Advocate.id, Advocate.balance)
                                                    .where(Advocate.id.in_(some))):
            assert balance == sums.get(advocate_id, 0), advocate_id
    session.rollback()


def check_generated(session: Session, now: datetime, tz: str) -> None:
    """The generated caches equal the ledger: every advocate's balance and lifetime, and the current
    week's and month's buckets (a full `ledger.verify` at this size is the nightly job's work)."""
    earned = [r for r in LedgerReason if r.counts_as_earned]
    sums = (select(LedgerEntry.advocate_id, func.sum(LedgerEntry.amount).label("balance"),
                   func.coalesce(func.sum(LedgerEntry.amount).filter(LedgerEntry.reason.in_(earned)), 0)
                   .label("earned"))
            .group_by(LedgerEntry.advocate_id).subquery())
    wrong = session.scalar(
        select(func.count()).select_from(Advocate).outerjoin(sums, sums.c.advocate_id == Advocate.id)
        .where((Advocate.balance != func.coalesce(sums.c.balance, 0))
               | (Advocate.lifetime_points != func.coalesce(sums.c.earned, 0))))
    assert wrong == 0, f"{wrong} advocates with caches unequal to the ledger"
    for period in ("week", "month"):
        start = period_start(now, tz, period)
        from_ledger = _period_sums(session, period, start, tz, earned)
        cached = dict(session.execute(select(PeriodTotal.advocate_id, PeriodTotal.points).where(
            PeriodTotal.period == period, PeriodTotal.period_start == start)).all())
        assert cached == from_ledger, f"{period} buckets differ from the ledger"
    session.rollback()


def _period_sums(session, period, start, tz, earned) -> dict[int, int]:
    # The program timezone may start the period up to a day before UTC midnight.
    lower = datetime.combine(start, datetime.min.time()) - timedelta(days=1)
    sums: dict[int, int] = {}
    rows = session.execute(select(LedgerEntry.advocate_id, LedgerEntry.amount, LedgerEntry.created_at)
                           .where(LedgerEntry.created_at >= lower, LedgerEntry.reason.in_(earned))
                           .execution_options(yield_per=20_000))
    for advocate_id, amount, created_at in rows:
        if period_start(created_at, tz, period) == start:
            sums[advocate_id] = sums.get(advocate_id, 0) + amount
    return sums
