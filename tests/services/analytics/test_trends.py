"""Trend series against test_kpis.py's fixture (America/New_York, 1 May - 15 June 2026 local), worked out
by hand, and the charts drawn from them. Weeks start on Monday 27 April; June's end is the period's end,
2026-06-16 04:00 UTC. build_program's advocates were all made at the frozen clock (15 June 12:00 UTC).
"""

from datetime import date, datetime

from app.models import ActivityKind, AdvocateState, Status, StatusChange
from app.services.analytics import charts, kpis, trends
from tests.factories import make_advocate
from tests.services.analytics.test_kpis import NOW, PERIOD, build_program

K, S = ActivityKind, Status
MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


def _weeks(found):
    return {week: {kind: n for kind, n in kinds.items() if n} for week, kinds in found.items()}


def test_actions_per_week_by_kind_are_clipped_to_the_period(any_session):
    build_program(any_session)
    found = trends.trends(any_session, period=PERIOD, now=NOW)
    assert _weeks(found.actions_by_week) == {
        date(2026, 4, 27): {},  # a2's social post, 30 April 23:00 local, is before the period
        date(2026, 5, 4): {K.REVIEW: 1},  # Sunday 10 May
        date(2026, 5, 11): {}, date(2026, 5, 18): {},
        date(2026, 5, 25): {K.REVIEW: 1},  # 31 May 23:30 local
        date(2026, 6, 1): {K.WEBINAR: 1},  # 1 June 00:30 local
        date(2026, 6, 8): {K.REVIEW: 1},
        date(2026, 6, 15): {K.SOCIAL_POST: 1},  # 15 June 23:00 local; 16 June 01:00 is after
    }
    figures = kpis.program_figures(any_session, period=PERIOD, now=NOW)
    assert sum(sum(k.values()) for k in found.actions_by_week.values()) == sum(figures.action_totals.values())


def test_the_monthly_funnel_is_the_cohort_and_adds_up_to_the_period_funnel(any_session):
    build_program(any_session)
    found = trends.trends(any_session, period=PERIOD, now=NOW).funnel_by_month
    # Made in May: submitted, qualified, converted (5/8), lost, and 1 June 00:00 UTC (31 May local,
    # converted after the period); the rejected one and the one made in April are not counted.
    assert found == {MAY: trends.FunnelStep(clicks=1, submissions=5, qualified=4, converted=2),
                     JUNE: trends.FunnelStep(clicks=1)}  # 15 June 23:00 local
    funnel = kpis.program_figures(any_session, period=PERIOD, now=NOW).funnel
    assert (funnel.clicks, funnel.submissions, funnel.qualified, funnel.converted) == tuple(
        sum(getattr(step, name) for step in found.values())
        for name in ("clicks", "submissions", "qualified", "converted"))
    assert funnel.submissions >= funnel.qualified >= funnel.converted
    assert funnel.submissions == sum(n for state, n in funnel.by_state.items() if state.value != "rejected")


def test_statuses_at_each_months_end_undo_later_changes(any_session):
    x = make_advocate(any_session, status=S.SILVER, created_at=datetime(2026, 4, 1))
    y = make_advocate(any_session, status=S.GOLD, created_at=datetime(2026, 5, 20))
    z = make_advocate(any_session, status=S.SILVER, state=AdvocateState.PAUSED,
                      created_at=datetime(2026, 4, 1))
    make_advocate(any_session, status=S.BRONZE, created_at=datetime(2026, 6, 5))
    for advocate, before, after, at in ((x, S.BRONZE, S.SILVER, datetime(2026, 6, 10)),
                                        (y, S.BRONZE, S.SILVER, datetime(2026, 5, 25)),
                                        (y, S.SILVER, S.GOLD, datetime(2026, 6, 20, 10)),  # after the period
                                        (z, S.BRONZE, S.SILVER, datetime(2026, 5, 2))):
        any_session.add(StatusChange(advocate_id=advocate.id, from_status=before, to_status=after, reason="",
                                     at=at))
    any_session.flush()
    found = trends.trends(any_session, period=PERIOD, now=NOW).status_by_month
    assert found == {MAY: {S.BRONZE: 1, S.SILVER: 1, S.GOLD: 0, S.PLATINUM: 0},  # x still Bronze, y Silver
                     JUNE: {S.BRONZE: 1, S.SILVER: 2, S.GOLD: 0, S.PLATINUM: 0}}  # x promoted; w joined


def test_charts_carry_the_series_their_tables_and_bars_in_the_box(any_session):
    build_program(any_session)
    figures = kpis.program_figures(any_session, period=PERIOD, now=NOW)
    actions, funnel, status, asks = charts.figure_charts(figures, trends.trends(any_session, period=PERIOD,
                                                                                   now=NOW))
    assert [s.label for s in actions.series] == ["Review", "Webinar", "Social post"]  # only kinds that occur
    assert actions.rows[1] == ("4 May 2026", [1, 0, 0]) and len(actions.rows) == 8
    assert funnel.rows == [("May 2026", [1, 5, 4, 2]), ("Jun 2026", [1, 0, 0, 0])] and not funnel.stacked
    assert status.rows == [("May 2026", [0, 0, 0, 0]), ("Jun 2026", [2, 1, 1, 0])]  # a1 Gold, a2 Silver
    assert asks.rows[-1] == ("Burning (11+)", [1]) and asks.labels[2][1] == "2–4 asks"
    assert funnel.top == 5 and status.top == 4
    for chart in (actions, funnel, status, asks):
        for bar in chart.bars:
            assert bar.x >= charts.LEFT and bar.x + bar.width <= charts.WIDTH - charts.RIGHT + 0.01
            assert bar.y >= charts.TOP - 0.01 and bar.y + bar.height <= charts.HEIGHT - charts.BOTTOM + 0.01
    tallest = max(funnel.bars, key=lambda bar: bar.height)
    assert tallest.text == "May 2026, Submissions: 5"
    assert tallest.height == charts.HEIGHT - charts.TOP - charts.BOTTOM
