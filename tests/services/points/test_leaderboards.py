"""Leaderboards (SPEC §13): competition ranking, anonymity, periods in the program timezone."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app.models import AdvocateState, LedgerReason
from app.services.errors import ValidationFailed
from app.services.missions import audiences
from app.services.points import leaderboards, ledger
from app.services.program import settings as settings_service
from tests.factories import make_advocate
from tests.statements import watched

_keys = iter(range(1, 100_000))


def award(session, advocate, amount, at):
    ledger.post_entry(session, advocate_id=advocate.id, amount=amount, reason=LedgerReason.BONUS,
                      idempotency_key=f"lb:{next(_keys)}", now=at)


def scored(session, points, now, **overrides):
    advocate = make_advocate(session, **overrides)
    award(session, advocate, points, now)
    return advocate


def set_timezone(session, tz, now):
    settings_service.save(session, changes={"timezone": tz}, actor_id=None, now=now)


@pytest.mark.parametrize("period", ["all", "month", "week"])
def test_ties_share_a_rank_and_the_next_rank_skips(session, now, period):
    top = scored(session, 300, now)
    first_tie = scored(session, 200, now - timedelta(hours=2))
    second_tie = scored(session, 200, now - timedelta(hours=1))
    last = scored(session, 100, now)
    rows = leaderboards.board(session, period=period, now=now).rows
    assert [(r.advocate_id, r.rank, r.points) for r in rows] == [
        (top.id, 1, 300), (first_tie.id, 2, 200), (second_tie.id, 2, 200), (last.id, 4, 100)]


def test_opted_out_advocates_are_anonymous_except_to_themselves(session, now):
    hidden = scored(session, 300, now, leaderboard_opt_out=True, name="Hidden Person", company="Secret Co")
    viewer = scored(session, 100, now)
    [first, _] = leaderboards.board(session, period="all", now=now, viewer_id=viewer.id).rows
    assert (first.name, first.company) == (leaderboards.ANONYMOUS, "")
    own = leaderboards.board(session, period="all", now=now, viewer_id=hidden.id)
    mine = own.rows[0]
    assert (mine.name, mine.company, mine.is_viewer) == ("Hidden Person", "Secret Co", True)
    assert own.viewer.rank == 1


def test_the_month_bucket_follows_the_program_timezone(session, now):
    set_timezone(session, "America/Los_Angeles", now)
    advocate = scored(session, 100, datetime(2026, 6, 1, 3, 0))  # 31 May, 20:00 in Los Angeles
    may = leaderboards.board(session, period="month", now=datetime(2026, 6, 1, 6, 0))
    assert may.starts.isoformat() == "2026-05-01" and [r.advocate_id for r in may.rows] == [advocate.id]
    june = leaderboards.board(session, period="month", now=datetime(2026, 6, 1, 8, 0))
    assert june.starts.isoformat() == "2026-06-01" and june.rows == []


def test_in_utc_the_same_award_lands_in_june(session, now):
    advocate = scored(session, 100, datetime(2026, 6, 1, 3, 0))
    june = leaderboards.board(session, period="month", now=datetime(2026, 6, 20))
    assert [r.advocate_id for r in june.rows] == [advocate.id]


def test_weeks_start_on_monday_in_the_program_timezone(session, now):
    set_timezone(session, "Asia/Tokyo", now)
    sunday_utc = datetime(2026, 6, 14, 20, 0)  # Monday 15 June, 05:00 in Tokyo
    advocate = scored(session, 100, sunday_utc)
    this_week = leaderboards.board(session, period="week", now=datetime(2026, 6, 15, 0, 0))
    assert this_week.starts.isoformat() == "2026-06-15" and [r.advocate_id for r in this_week.rows] == [
        advocate.id]
    previous = leaderboards.board(session, period="week", now=datetime(2026, 6, 14, 14, 0))
    assert previous.starts.isoformat() == "2026-06-08" and previous.rows == []


def test_last_months_points_are_not_on_this_months_board(session, now):
    old = scored(session, 500, now - timedelta(days=40))
    fresh = scored(session, 50, now)
    month = leaderboards.board(session, period="month", now=now)
    assert [r.advocate_id for r in month.rows] == [fresh.id]
    all_time = leaderboards.board(session, period="all", now=now)
    assert [r.advocate_id for r in all_time.rows] == [old.id, fresh.id]


def test_the_viewer_sees_their_rank_outside_the_top(session, now):
    for points in (600, 500, 400, 400, 300):
        scored(session, points, now)
    viewer = scored(session, 200, now)
    board = leaderboards.board(session, period="all", now=now, viewer_id=viewer.id, limit=5)
    assert len(board.rows) == 5 and all(not r.is_viewer for r in board.rows)
    assert (board.viewer.rank, board.viewer.points, board.viewer.is_viewer) == (6, 200, True)
    week = leaderboards.board(session, period="week", now=now, viewer_id=viewer.id, limit=5)
    assert week.viewer.rank == 6


def test_a_viewer_without_points_has_no_row(session, now):
    scored(session, 100, now)
    viewer = make_advocate(session)
    assert leaderboards.board(session, period="all", now=now, viewer_id=viewer.id).viewer is None


def test_the_board_size_setting_limits_rows(session, now):
    settings_service.save(session, changes={"leaderboard_size": 5}, actor_id=None, now=now)
    for points in range(1, 8):
        scored(session, points * 10, now)
    assert len(leaderboards.board(session, period="all", now=now).rows) == 5


def test_advocates_who_left_or_have_not_joined_count_but_stay_anonymous(session, now):
    paused = scored(session, 100, now, state=AdvocateState.PAUSED)
    left = scored(session, 900, now, state=AdvocateState.OPTED_OUT)
    invited = scored(session, 500, now, state=AdvocateState.INVITED)
    rows = leaderboards.board(session, period="all", now=now, viewer_id=paused.id).rows
    assert [(r.advocate_id, r.rank, r.name, r.company) for r in rows] == [
        (left.id, 1, leaderboards.ANONYMOUS, ""),
        (invited.id, 2, leaderboards.ANONYMOUS, ""),
        (paused.id, 3, paused.name, paused.company),
    ]
    assert leaderboards.rank_all_time(session, paused) == 3
    own = leaderboards.board(session, period="all", now=now, viewer_id=left.id).rows[0]
    assert own.name == left.name and own.is_viewer


def test_region_and_industry_filters(session, now):
    emea = scored(session, 100, now, region="EMEA", industry="Retail")
    scored(session, 200, now, region="NA", industry="Retail")
    rows = leaderboards.board(session, period="month", now=now, region="EMEA", industry="Retail").rows
    assert [(r.advocate_id, r.rank) for r in rows] == [(emea.id, 1)]
    assert audiences.held_values(session) == {"regions": ["EMEA", "NA"], "industries": ["Retail"]}


@pytest.mark.parametrize("filters", [{"region": "EMEA"}, {"industry": "Retail"}, {}])
def test_the_viewers_all_time_rank_is_counted_on_an_index(session, now, filters):
    """The page's own-rank count (the viewer below the top) never reads every advocate, filtered or not."""
    for points in (300, 200):
        scored(session, points, now, region="EMEA", industry="Retail")
    viewer = scored(session, 100, now, region="EMEA", industry="Retail")
    counts = []

    def record(conn, cursor, sql, params, context, many):
        if sql.startswith("SELECT count(*)"):
            counts.append((sql, params))

    event.listen(session.get_bind(), "before_cursor_execute", record)
    try:
        result = leaderboards.board(session, period="all", now=now, viewer_id=viewer.id, limit=1, **filters)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", record)
    assert (result.viewer.rank, result.viewer.points) == (3, 100) and len(counts) == 1
    sql, params = counts[0]
    plan = [row[3] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert len(plan) == 1 and plan[0].startswith("SEARCH advocate USING COVERING INDEX"), plan


def test_an_unknown_period_is_refused(session, now):
    with pytest.raises(ValidationFailed):
        leaderboards.board(session, period="year", now=now)


def test_all_time_rank_for_the_dashboard(session, now):
    scored(session, 300, now)
    second = scored(session, 100, now)
    assert leaderboards.rank_all_time(session, second) == 2
    assert leaderboards.rank_all_time(session, make_advocate(session)) is None


@pytest.mark.parametrize("period", ["all", "month"])
def test_the_board_reads_only_the_columns_a_row_shows(session, now, period):
    """Fifty whole advocates (password hash, tags, …) per page load cost more than the query itself."""
    for points in (300, 200):
        scored(session, points, now)
    with watched(session.get_bind()) as seen:
        rows = leaderboards.board(session, period=period, now=now).rows
    assert [r.points for r in rows] == [300, 200]
    (top,) = [sql for sql in seen.statements if "ORDER BY" in sql]
    assert "advocate.name" in top and "password_hash" not in top and "advocate.tags" not in top
