"""A timezone change marks the week/month buckets stale; the rebuild recomputes them from the ledger."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.jobs.runner import find, run_once
from app.models import LedgerReason, PeriodTotal, ProgramSetting
from app.services.points import leaderboards, ledger, period_totals
from app.services.program import settings
from tests.factories import make_advocate

# Sunday 22:30 UTC is already Monday in Auckland: the week of these awards depends on the timezone.
SUNDAY_LATE = datetime(2026, 11, 29, 22, 30)


def _award(session, advocate, key, at, amount=100):
    ledger.post_entry(session, advocate_id=advocate.id, amount=amount, reason=LedgerReason.BONUS,
                      idempotency_key=key, now=at)


def _weeks(session, advocate_id) -> dict:
    return {row.period_start.isoformat(): row.points for row in session.scalars(
        select(PeriodTotal).where(PeriodTotal.advocate_id == advocate_id, PeriodTotal.period == "week"))}


def test_nothing_is_stale_until_the_timezone_changes(session, now):
    advocate = make_advocate(session)
    _award(session, advocate, "a", SUNDAY_LATE)
    settings.save(session, changes={"program_name": "Renamed", "timezone": "UTC"}, actor_id=None, now=now)
    assert period_totals.is_stale(session) is False
    assert period_totals.rebuild_if_stale(session, now=now) == 0


def test_a_new_timezone_rebuilds_every_bucket_from_the_ledger(session, now):
    first, second = make_advocate(session), make_advocate(session)
    _award(session, first, "a", SUNDAY_LATE)
    _award(session, first, "b", SUNDAY_LATE - timedelta(days=3), amount=50)
    _award(session, second, "c", SUNDAY_LATE + timedelta(hours=3), amount=70)
    assert _weeks(session, first.id) == {"2026-11-23": 150}

    settings.save(session, changes={"timezone": "Pacific/Auckland"}, actor_id=None, now=now)
    assert period_totals.is_stale(session) and ledger.verify(session) != []
    commits = []
    assert period_totals.rebuild_if_stale(session, now=now, commit=lambda: commits.append(1), batch=1) == 2
    assert len(commits) == 2  # one transaction per batch of advocates
    assert ledger.verify(session) == []
    assert _weeks(session, first.id) == {"2026-11-23": 50, "2026-11-30": 100}
    assert session.get(ProgramSetting, period_totals.MARKER).value == "Pacific/Auckland"
    assert period_totals.rebuild_if_stale(session, now=now) == 0  # a second run changes nothing
    # The week board reads the rebuilt buckets in the new calendar.
    board = leaderboards.board(session, period="week", now=SUNDAY_LATE + timedelta(hours=4))
    assert [(row.advocate_id, row.points) for row in board.rows] == [(first.id, 100), (second.id, 70)]


def test_changing_the_timezone_and_back_still_rebuilds(session, now):
    advocate = make_advocate(session)
    settings.save(session, changes={"timezone": "Pacific/Auckland"}, actor_id=None, now=now)
    _award(session, advocate, "in-auckland", SUNDAY_LATE)  # bucketed in the Auckland week
    settings.save(session, changes={"timezone": "UTC"}, actor_id=None, now=now)
    assert period_totals.is_stale(session)
    assert period_totals.rebuild_if_stale(session, now=now) == 1
    assert ledger.verify(session) == [] and _weeks(session, advocate.id) == {"2026-11-23": 100}


def test_the_job_rebuilds_once(app, session, now):
    advocate = make_advocate(session)
    _award(session, advocate, "a", SUNDAY_LATE)
    settings.save(session, changes={"timezone": "Asia/Tokyo"}, actor_id=None, now=now)
    session.commit()
    job = find("rebuild_period_totals")
    assert (run_once(app, job).items, run_once(app, job).items) == (1, 0)
    session.expire_all()
    assert ledger.verify(session) == []
