"""Program figures (SPEC §14) against a small fixture whose every number is worked out by hand.

The program timezone is America/New_York (UTC-4 in summer), so "local" times below are 4 hours behind
UTC. The period is 1 May - 15 June 2026 local: [2026-05-01 04:00, 2026-06-16 04:00) UTC; June starts at
2026-06-01 04:00 UTC. The main fixture runs on SQLite and on PostgreSQL.
"""

from datetime import date, datetime, timedelta
from itertools import count

import pytest

from app.models import (
    ActivityKind,
    AdvocateState,
    Ask,
    AskState,
    Attempt,
    AttemptState,
    Redemption,
    RedemptionState,
    Referral,
    ReferralClick,
    ReferralCode,
    ReferralState,
    RejectionReason,
    Status,
)
from app.services.analytics import kpis
from app.services.errors import ValidationFailed
from tests.factories import make_activity, make_advocate, make_mission, make_reward

TZ = "America/New_York"
NOW = datetime(2026, 6, 20, 12, 0)
PERIOD = kpis.Period(date(2026, 5, 1), date(2026, 6, 15), TZ)
_n = count(1)
A, R = AdvocateState, ReferralState


def approve(session, advocate, activity, at: datetime, state=AttemptState.APPROVED):
    """An attempt decided at `at` (UTC), on a mission of its own."""
    mission = make_mission(session, activity=activity)
    decided = at if state != AttemptState.SUBMITTED else None
    session.add(Attempt(mission_id=mission.id, advocate_id=advocate.id, activity_id=activity.id, state=state,
                        started_at=at, submitted_at=at, decided_at=decided, created_at=at))


def asks(session, advocate, activity, n: int, at: datetime, **overrides):
    for _ in range(n):
        values = dict(advocate_id=advocate.id, activity_id=activity.id, state=AskState.SENT,
                      counts_as_ask=True, created_at=at, sent_at=at)
        values.update(overrides)
        session.add(Ask(**values))


def referral(session, code, state, created, **values):
    session.add(Referral(code_id=code.id, referrer_id=code.advocate_id, friend_name="Friend",
                         friend_email=f"friend{next(_n)}@other.example", state=state, created_at=created,
                         **values))


def redemption(session, advocate, reward, state, fulfilled=None):
    session.add(Redemption(advocate_id=advocate.id, reward_id=reward.id, points=100, state=state,
                           cost_cents=reward.unit_cost_cents,  # kept at redemption, as redeem() does
                           request_key=f"k{next(_n)}", created_at=datetime(2026, 4, 1),
                           fulfilled_at=fulfilled))


def build_program(session):
    a1 = make_advocate(session, state=A.ACTIVE, status=Status.GOLD, eligible=True, readiness_tier=1)
    a2 = make_advocate(session, state=A.ACTIVE, status=Status.SILVER, eligible=True, readiness_tier=2)
    a3 = make_advocate(session, state=A.ACTIVE, eligible=True, readiness_tier=None)
    a4 = make_advocate(session, state=A.PAUSED, eligible=True, readiness_tier=3)
    a5 = make_advocate(session, state=A.INVITED, eligible=True, readiness_tier=1)
    a6 = make_advocate(session, state=A.ACTIVE, eligible=False)
    a7 = make_advocate(session, state=A.OPTED_OUT, status=Status.SILVER, eligible=False)
    review = make_activity(session, kind=ActivityKind.REVIEW)
    webinar = make_activity(session, kind=ActivityKind.WEBINAR)
    social = make_activity(session, kind=ActivityKind.SOCIAL_POST)

    approve(session, a1, review, datetime(2026, 1, 10, 4, 30))  # long before: half-life only
    approve(session, a1, review, datetime(2026, 6, 1, 3, 30))  # 31 May 23:30 local: May
    approve(session, a1, webinar, datetime(2026, 6, 1, 4, 30))  # 1 June 00:30 local: June
    approve(session, a2, social, datetime(2026, 5, 1, 3, 0))  # 30 April 23:00 local: before the period
    approve(session, a2, review, datetime(2026, 5, 10, 12, 0))
    approve(session, a6, review, datetime(2026, 6, 10, 12, 0))  # not eligible: no activation
    approve(session, a4, social, datetime(2026, 6, 16, 3, 0))  # 15 June 23:00 local: the last day
    approve(session, a5, review, datetime(2026, 6, 16, 5, 0))  # 16 June 01:00 local: after the period
    approve(session, a3, review, datetime(2026, 6, 5), state=AttemptState.SUBMITTED)
    approve(session, a3, webinar, datetime(2026, 6, 6), state=AttemptState.REJECTED)

    code = ReferralCode(advocate_id=a1.id, code="kpi-code", created_at=datetime(2026, 1, 1))
    session.add(code)
    session.flush()
    for at in (datetime(2026, 5, 5), datetime(2026, 4, 1), datetime(2026, 6, 16, 3, 0)):
        session.add(ReferralClick(code_id=code.id, client_hash="h", at=at))
    referral(session, code, R.SUBMITTED, datetime(2026, 5, 5))
    referral(session, code, R.QUALIFIED, datetime(2026, 5, 6), qualified_at=datetime(2026, 5, 7))
    referral(session, code, R.CONVERTED, datetime(2026, 5, 8), qualified_at=datetime(2026, 5, 9),
             converted_at=datetime(2026, 6, 2), deal_amount=1200)
    referral(session, code, R.LOST, datetime(2026, 5, 10), qualified_at=datetime(2026, 5, 11),
             closed_at=datetime(2026, 5, 12))
    referral(session, code, R.REJECTED, datetime(2026, 5, 11), rejection_reason=RejectionReason.SELF_REFERRAL)
    referral(session, code, R.CONVERTED, datetime(2026, 4, 20), qualified_at=datetime(2026, 4, 21),
             converted_at=datetime(2026, 5, 20), deal_amount=800)  # made before, converted in the period
    referral(session, code, R.CONVERTED, datetime(2026, 6, 1), qualified_at=datetime(2026, 6, 2),
             converted_at=datetime(2026, 6, 16, 5, 0), deal_amount=5000)  # converted after the period

    # The ask window is 16 June 2025 - 15 June 2026 local: [2025-06-16 04:00, 2026-06-16 04:00) UTC.
    asks(session, a1, review, 3, datetime(2026, 3, 1))
    asks(session, a1, review, 1, datetime(2025, 6, 16, 3, 0))  # 15 June 2025 local: outside
    asks(session, a1, review, 1, datetime(2026, 3, 2), state=AskState.BLOCKED, sent_at=None)
    asks(session, a1, review, 1, datetime(2026, 3, 3), counts_as_ask=False)
    asks(session, a2, review, 5, datetime(2025, 6, 16, 4, 0))  # the window's first moment
    asks(session, a6, review, 1, datetime(2026, 2, 1))
    asks(session, a6, review, 1, datetime(2026, 6, 16, 5, 0))  # after the window
    asks(session, a7, review, 8, datetime(2025, 12, 1))  # opted out since, still counted
    asks(session, a4, review, 12, datetime(2026, 1, 5))

    priced, unpriced, cheap = (make_reward(session, unit_cost_cents=cost) for cost in (2500, None, 1000))
    redemption(session, a1, priced, RedemptionState.FULFILLED, datetime(2026, 5, 20))
    redemption(session, a1, priced, RedemptionState.FULFILLED, datetime(2026, 6, 16, 3, 0))
    redemption(session, a2, unpriced, RedemptionState.FULFILLED, datetime(2026, 5, 21))
    redemption(session, a2, cheap, RedemptionState.APPROVED)
    redemption(session, a2, cheap, RedemptionState.REJECTED)
    redemption(session, a2, cheap, RedemptionState.FULFILLED, datetime(2026, 4, 15))
    redemption(session, a1, priced, RedemptionState.CANCELLED)
    session.flush()


def test_every_figure_of_the_hand_computed_program(any_session):
    build_program(any_session)
    figures = kpis.program_figures(any_session, period=PERIOD, now=NOW)

    assert figures.as_of == NOW
    assert figures.by_state == {A.INVITED: 1, A.ACTIVE: 4, A.PAUSED: 1, A.OPTED_OUT: 1}
    assert figures.by_status == {Status.BRONZE: 2, Status.SILVER: 1, Status.GOLD: 1, Status.PLATINUM: 0}
    assert figures.by_tier == {1: (2, 1), 2: (1, 1), 3: (1, 0), None: (1, 1)}
    # coverage counts only eligible records that are active advocates: tiers 1, 2 and untiered, one each
    assert (figures.eligible, figures.eligible_advocates, figures.coverage) == (5, 3, 0.6)
    assert (figures.activated, figures.activation_rate) == (3, 0.6)

    may, june = date(2026, 5, 1), date(2026, 6, 1)
    assert list(figures.actions) == [may, june]
    assert {k: n for k, n in figures.actions[may].items() if n} == {ActivityKind.REVIEW: 2}
    assert {k: n for k, n in figures.actions[june].items() if n} == {
        ActivityKind.WEBINAR: 1, ActivityKind.REVIEW: 1, ActivityKind.SOCIAL_POST: 1}
    assert figures.reviews == 3

    funnel = figures.funnel
    assert (funnel.clicks, funnel.submissions, funnel.qualified, funnel.converted, funnel.lost,
            funnel.rejected, funnel.revenue) == (2, 5, 4, 2, 1, 1, 6200)
    assert funnel.by_state == {R.SUBMITTED: 1, R.QUALIFIED: 1, R.CONVERTED: 2, R.LOST: 1, R.REJECTED: 1}
    assert funnel.conversion_rate == 0.4

    assert figures.ask_bands == {"none": 1, "one": 1, "healthy": 1, "acceptable": 1, "burnout_risk": 1,
                                 "burning": 1}
    # Spans: a1 142 days, a2 9.375 days, a4 and a6 one approval each (0); the median of four is the
    # mean of the middle two: (0 + 9.375) / 2. a5's approval comes after the period ends.
    assert figures.half_life == kpis.HalfLife(median_days=4.7, advocates=4, single_action=2)

    assert (figures.sourced_revenue_cents, figures.converted_referrals) == (200_000, 2)
    assert figures.rewards == kpis.RewardsCost(cost_cents=5000, fulfilled=3, without_cost=1)
    assert figures.program_cost_cents == 5000
    assert figures.roi == 39.0  # (200,000 - 5,000) / 5,000
    assert set(figures.notes) == {"revenue.influenced_cents", "cost.rewards_cents",
                                  "cost.incentives_cents", "currency"}


def test_the_median_of_an_odd_count_is_the_middle_span(any_session):
    build_program(any_session)
    # Ending on 31 May local, only a1 (long before, then 31 May 23:30 local: 141.958 days) and
    # a2 (9.375 days) have approvals; add a third advocate with two approvals 20 days apart.
    a8 = make_advocate(any_session)
    survey = make_activity(any_session, kind=ActivityKind.SURVEY)
    approve(any_session, a8, survey, datetime(2026, 4, 1))
    approve(any_session, a8, survey, datetime(2026, 4, 21))
    any_session.flush()
    figures = kpis.program_figures(any_session, period=kpis.Period(date(2026, 5, 1), date(2026, 5, 31), TZ),
                                   now=NOW)
    assert figures.half_life == kpis.HalfLife(median_days=20.0, advocates=3, single_action=0)
    assert list(figures.actions) == [date(2026, 5, 1)]
    assert figures.actions[date(2026, 5, 1)][ActivityKind.REVIEW] == 2


def test_months_follow_the_timezone_across_a_daylight_saving_change(any_session):
    """New York is UTC-5 until 8 March 2026 and UTC-4 after: 1 March starts at 05:00 UTC, 1 April at 04:00."""
    advocate = make_advocate(any_session)
    post = make_activity(any_session, kind=ActivityKind.SOCIAL_POST)
    for at in (datetime(2026, 3, 1, 4, 59), datetime(2026, 3, 1, 5, 0), datetime(2026, 4, 1, 3, 59),
               datetime(2026, 4, 1, 4, 0)):
        approve(any_session, advocate, post, at)
    any_session.flush()
    figures = kpis.program_figures(any_session, period=kpis.Period(date(2026, 2, 1), date(2026, 4, 30), TZ),
                                   now=NOW)
    assert {m: kinds[ActivityKind.SOCIAL_POST] for m, kinds in figures.actions.items()} == {
        date(2026, 2, 1): 1, date(2026, 3, 1): 2, date(2026, 4, 1): 1}


def test_an_empty_program_reports_zeros_and_no_rates(session):
    figures = kpis.program_figures(session, period=PERIOD, now=NOW)
    assert figures.eligible == 0 and figures.coverage is None and figures.activation_rate is None
    assert figures.funnel.conversion_rate is None and figures.half_life.median_days is None
    assert figures.roi is None and figures.program_cost_cents == 0 and figures.sourced_revenue_cents == 0
    assert sum(figures.ask_bands.values()) == 0
    assert all(n == 0 for kinds in figures.actions.values() for n in kinds.values())


def test_roi_needs_a_cost(session):
    advocate = make_advocate(session)
    code = ReferralCode(advocate_id=advocate.id, code="roi-code", created_at=datetime(2026, 1, 1))
    session.add(code)
    session.flush()
    referral(session, code, R.CONVERTED, datetime(2026, 5, 2), qualified_at=datetime(2026, 5, 2),
             converted_at=datetime(2026, 5, 3), deal_amount=300)
    session.flush()
    figures = kpis.program_figures(session, period=PERIOD, now=NOW)
    assert figures.sourced_revenue_cents == 30_000 and figures.roi is None
    redemption(session, advocate, make_reward(session, unit_cost_cents=10_000), RedemptionState.FULFILLED,
               datetime(2026, 5, 4))
    session.flush()
    assert kpis.program_figures(session, period=PERIOD, now=NOW).roi == 2.0


# -- the period ------------------------------------------------------------------------------------

def test_the_default_period_is_the_30_days_ending_today_in_the_program_timezone():
    # 20 June 2026 02:00 UTC is still 19 June in New York.
    made = kpis.period(first=None, last=None, now=datetime(2026, 6, 20, 2, 0), timezone=TZ)
    assert (made.first, made.last, made.days) == (date(2026, 5, 21), date(2026, 6, 19), 30)
    assert made.starts_at == datetime(2026, 5, 21, 4, 0) and made.ends_at == datetime(2026, 6, 20, 4, 0)
    only_to = kpis.period(first=None, last=date(2026, 3, 31), now=NOW, timezone=TZ)
    assert only_to.first == date(2026, 3, 2)


@pytest.mark.parametrize(("first", "last"), [
    (date(2026, 6, 2), date(2026, 6, 1)),
    (date(2023, 6, 1), date(2026, 6, 15)),
    (date(2026, 7, 1), None),  # after today, so after the default `to`
])
def test_an_inverted_or_too_long_period_is_refused_on_from(first, last):
    with pytest.raises(ValidationFailed) as error:
        kpis.period(first=first, last=last, now=NOW, timezone=TZ)
    assert error.value.field == "from"


def test_about_three_years_is_the_longest_period():
    last = date(2026, 6, 15)
    made = kpis.period(first=last - timedelta(days=kpis.MAX_DAYS - 1), last=last, now=NOW, timezone=TZ)
    assert made.days == kpis.MAX_DAYS == 1098 and len(kpis.month_starts(made)) == 37
    with pytest.raises(ValidationFailed):
        kpis.period(first=made.first - timedelta(days=1), last=last, now=NOW, timezone=TZ)
    assert kpis.ask_window(made) == (date(2025, 6, 16), date(2026, 6, 15))


def test_the_average_review_rating_counts_rated_approved_reviews_of_the_period(any_session):
    """Stars 5 and 2 in the period → 3.5 from 2 rated; an unrated review, a pending one, a rated survey
    and a review approved before the period are left out."""
    advocate = make_advocate(any_session)
    review, survey = make_activity(any_session), make_activity(any_session, kind=ActivityKind.SURVEY)
    inside, before = datetime(2026, 5, 10), datetime(2026, 4, 10)
    for activity, at, stars, state in ((review, inside, 5, AttemptState.APPROVED),
                                       (review, inside, 2, AttemptState.APPROVED),
                                       (review, inside, None, AttemptState.APPROVED),
                                       (review, inside, 1, AttemptState.SUBMITTED),
                                       (survey, inside, 1, AttemptState.APPROVED),
                                       (review, before, 1, AttemptState.APPROVED)):
        approve(any_session, advocate, activity, at, state=state)
        any_session.flush()
        any_session.query(Attempt).order_by(Attempt.id.desc()).first().review_rating = stars
    any_session.flush()
    figures = kpis.program_figures(any_session, period=PERIOD, now=NOW)
    assert (figures.average_rating, figures.rated_reviews, figures.reviews) == (3.5, 2, 3)
