"""The weekly score_customers job: scores, eligibility and tiers for every record, in batches,
idempotent, and the qualified list it leaves behind."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.jobs.runner import find, run_once
from app.models import Advocate, AdvocateState, CustomerSignal, JobRun
from app.services.customers import qualified, readiness
from app.services.program import settings
from tests.factories import make_advocate

D = timedelta(days=1)


@pytest.fixture(autouse=True)
def usage_only(session, now):
    """Score by usage depth alone, so a record's score is its usage depth."""
    weights = {key: 0 for key in settings.SCORE_WEIGHTS} | {"score_weight_usage": 1}
    settings.save(session, changes=weights, actor_id=None, now=now)


def customer(session, now, *, score_hint: int, eligible: bool = True, state=AdvocateState.INVITED, **fields):
    """A record whose usage depth is `score_hint`, so records rank by it."""
    advocate = make_advocate(session, state=state, nps=9 if eligible else 6, health_score=80,
                             customer_since=date(2024, 1, 1), password_hash=None, **fields)
    session.add(CustomerSignal(advocate_id=advocate.id, usage_depth=score_hint, last_active_on=now.date(),
                               updated_at=now))
    session.flush()
    return advocate


def state_of(session):
    rows = session.execute(select(Advocate.id, Advocate.readiness_score, Advocate.eligible,
                                  Advocate.readiness_tier).order_by(Advocate.id)).all()
    return [tuple(r) for r in rows]


def test_scores_eligibility_and_tiers_are_written_for_every_record(session, now):
    people = [customer(session, now, score_hint=100 - n) for n in range(20)]
    unhappy = customer(session, now, score_hint=100, eligible=False)
    bare = make_advocate(session, nps=None)  # no signals row at all
    changed = readiness.score_customers(session, now=now, batch=7)
    session.expire_all()
    assert changed > 20
    assert [p.readiness_tier for p in people] == [1, 1] + [2] * 4 + [3] * 6 + [None] * 8
    assert all(p.eligible for p in people) and people[0].readiness_score > people[-1].readiness_score
    assert (unhappy.eligible, unhappy.readiness_tier) == (False, None) and unhappy.readiness_score > 0
    assert (bare.eligible, bare.readiness_tier) == (False, None) and bare.readiness_score is not None


def test_a_second_run_changes_nothing(session, now):
    for n in range(12):
        customer(session, now, score_hint=9 * n)
    readiness.score_customers(session, now=now)
    before = state_of(session)
    assert readiness.score_customers(session, now=now) == 0
    assert state_of(session) == before


def test_batches_give_the_same_result_as_one_pass(session, now):
    for n in range(25):
        customer(session, now, score_hint=(n * 37) % 100, eligible=n % 4 != 0)
    commits = []
    readiness.score_customers(session, now=now, batch=4, commit=lambda: commits.append(1))
    in_batches = state_of(session)
    assert len(commits) == 7  # 25 records, 4 at a time
    session.execute(Advocate.__table__.update().values(readiness_score=None, eligible=False,
                                                       readiness_tier=None))
    readiness.score_customers(session, now=now, batch=10_000)
    assert state_of(session) == in_batches


def test_a_customer_who_stops_qualifying_loses_their_tier(session, now):
    top = customer(session, now, score_hint=100)
    customer(session, now, score_hint=50)
    readiness.score_customers(session, now=now)
    session.expire_all()
    assert top.readiness_tier == 1
    readiness.score_customers(session, now=now + 40 * D)  # no product use for 40 days
    session.expire_all()
    assert (top.eligible, top.readiness_tier) == (False, None)


def test_changed_weights_rescore_on_the_next_run(session, now):
    a = customer(session, now, score_hint=90)
    readiness.score_customers(session, now=now)
    session.expire_all()
    assert a.readiness_score == 90
    settings.save(session, changes={"score_weight_nps": 1}, actor_id=None, now=now)  # NPS 9: 90 as well
    settings.save(session, changes={"score_weight_usage": 0}, actor_id=None, now=now)
    settings.save(session, changes={"score_weight_health": 1}, actor_id=None, now=now)  # health 80
    readiness.score_customers(session, now=now)
    session.expire_all()
    assert a.readiness_score == 85


def test_the_qualified_list_holds_eligible_tiered_records_that_have_not_joined(session, now):
    invited = [customer(session, now, score_hint=100 - n) for n in range(10)]
    member = customer(session, now, score_hint=100, state=AdvocateState.ACTIVE)
    customer(session, now, score_hint=99, eligible=False)
    readiness.score_customers(session, now=now)
    session.expire_all()
    page = qualified.qualified_page(session, now=now)
    listed = [row.advocate for row in page.rows]
    assert member not in listed and member.readiness_tier == 1  # members keep a tier for mission audiences
    assert listed == [a for a in invited if a.readiness_tier is not None]
    tiers = [r.advocate.readiness_tier for r in page.rows]
    assert tiers == sorted(tiers)
    # 11 eligible, the member too: tier 1 below 2 ahead, tier 2 below 4, tier 3 below 7 (member ties first)
    assert page.by_tier == {1: 1, 2: 2, 3: 3} and page.total == 6
    tier_two = qualified.qualified_page(session, now=now, tier=2)
    assert {r.advocate.readiness_tier for r in tier_two.rows} == {2} and tier_two.total == 2
    assert page.rows[0].invite_state == "not invited" and page.rows[0].signal.usage_depth == 100


def test_the_job_is_registered_weekly_and_runs_under_its_lease(app, session, now):
    job = find("score_customers")
    assert job.trigger == {"trigger": "interval", "weeks": 1}
    customer(session, now, score_hint=80)
    session.commit()
    outcome = run_once(app, job, now=now)
    assert outcome.ran and outcome.error is None and outcome.items >= 1
    session.expire_all()
    assert session.scalar(select(Advocate.readiness_tier)) == 1
    assert session.scalar(select(JobRun.name)) == "score_customers"
    assert qualified.qualified_page(session, now=now).scored_at is not None


# -- one record on demand (the staff advocate page's "Rescore now") -------------------------------

def test_rescoring_one_record_applies_its_new_signals_and_rederives_every_tier(session, now):
    people = [customer(session, now, score_hint=90 - n) for n in range(10)]  # tier 1 is people[0] alone
    readiness.score_customers(session, now=now)
    last = people[-1]
    session.get(CustomerSignal, last.id).usage_depth = 95
    session.flush()
    result = readiness.rescore_advocate(session, advocate_id=last.id, actor="staff:7", now=now)
    assert (result.before.score, result.before.tier) == (81, None)
    assert (result.after.score, result.after.eligible, result.after.tier) == (95, True, 1)
    assert result.tiers_changed >= 2  # this record rose to tier 1 and the old top fell to tier 2
    session.expire_all()
    assert (last.readiness_score, last.readiness_tier, people[0].readiness_tier) == (95, 1, 2)
    run = session.scalars(select(JobRun).where(JobRun.name == f"score_advocate:{last.id}")).one()
    assert (run.holder, run.finished_at, run.error) == ("staff:7", now, None)


def test_rescoring_gives_the_same_result_as_the_weekly_job(session, now):
    for n in range(15):
        customer(session, now, score_hint=(n * 29) % 100, eligible=n % 3 != 0)
    readiness.score_customers(session, now=now)
    expected = state_of(session)
    target = session.scalars(select(Advocate).order_by(Advocate.id)).first()
    session.execute(Advocate.__table__.update().where(Advocate.id == target.id)
                    .values(readiness_score=None, eligible=False, readiness_tier=None))
    result = readiness.rescore_advocate(session, advocate_id=target.id, actor="staff:1", now=now)
    assert state_of(session) == expected
    assert result.before.score is None and result.after.score == expected[0][1]


def test_rescoring_an_unknown_record_is_not_found(session, now):
    from app.services.errors import NotFound

    with pytest.raises(NotFound):
        readiness.rescore_advocate(session, advocate_id=999, actor="staff:1", now=now)
