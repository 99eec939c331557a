"""Audience counts apply eligibility's own rule: for a mix of filters the SQL count equals the advocates
`eligibility.in_audience` and the status floor let in, on SQLite and PostgreSQL."""

from types import SimpleNamespace

import pytest
from sqlalchemy import text

from app.models import Advocate, AdvocateState, Status
from app.services.missions import audiences, catalog, eligibility
from tests.factories import make_advocate

AUDIENCES = [
    {},
    {"regions": ["EMEA"]},
    {"regions": ["EMEA", "APAC"], "industries": ["Software"]},
    {"tags": ["beta"]},
    {"tags": ["beta", "vip"], "regions": ["EMEA"]},
    {"readiness_tiers": [1, 2]},
    {"min_status": "gold"},
    {"min_status": "silver", "tags": ["vip"], "readiness_tiers": [1]},
    {"industries": ["Retail"], "regions": ["North Amercia"]},
    {"advocate_ids": [1, 3, 5], "regions": ["APAC"]},  # named advocates replace the other filters
]


def _people(session):
    regions, industries = ["EMEA", "APAC", "North America"], ["Software", "Retail"]
    tags = [[], ["beta"], ["vip"], ["beta", "vip"], ["partner"]]
    states = [AdvocateState.ACTIVE, AdvocateState.INVITED, AdvocateState.PAUSED, AdvocateState.OPTED_OUT]
    for n in range(40):
        make_advocate(session, region=regions[n % 3], industry=industries[n % 2], tags=tags[n % 5],
                      readiness_tier=[None, 1, 2, 3][n % 4], status=list(Status)[n % 4],
                      state=states[n % 7 % 4])
    session.flush()


def _by_the_rule(session, audience: dict, activity_min: Status = Status.BRONZE) -> tuple[int, int]:
    mission = SimpleNamespace(audience=audience, activity=SimpleNamespace(min_status=activity_min))
    needed = eligibility.required_status(mission)
    people = [a for a in session.query(Advocate) if a.state != AdvocateState.OPTED_OUT
              and a.status.rank >= needed.rank and eligibility.in_audience(a, mission)]
    return len(people), sum(a.state == AdvocateState.ACTIVE for a in people)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_count_is_the_eligibility_rule(any_session, audience):
    _people(any_session)
    found = audiences.count(any_session, audience=audience)
    assert (found.matching, found.active) == _by_the_rule(any_session, audience)


def test_the_activity_minimum_raises_the_floor(any_session):
    _people(any_session)
    found = audiences.count(any_session, audience={"tags": ["beta"]}, activity_min=Status.GOLD)
    assert (found.matching, found.active) == _by_the_rule(any_session, {"tags": ["beta"]}, Status.GOLD)
    assert 0 < found.matching < audiences.count(any_session, audience={"tags": ["beta"]}).matching


def test_tags_that_are_not_a_list_match_no_tag_filter(any_session):
    odd = make_advocate(any_session, tags="beta")
    make_advocate(any_session, tags=["beta"])
    any_session.flush()
    assert audiences.count(any_session, audience={"tags": ["beta"]}).matching == 1
    assert not eligibility.matches_audience(odd, {"tags": ["beta"]})


def test_value_counts_list_what_advocates_hold(any_session):
    make_advocate(any_session, region="EMEA", industry="Software", tags=["beta", "vip"])
    make_advocate(any_session, region="EMEA", industry="", tags=["beta"])
    make_advocate(any_session, region="apac", industry="Retail", tags=[])
    any_session.flush()
    counts = audiences.value_counts(any_session)
    assert counts == {"industries": {"Retail": 1, "Software": 1}, "regions": {"apac": 1, "EMEA": 2},
                      "tags": {"beta": 2, "vip": 1}}
    assert audiences.unmatched({"regions": ["EMEA", "North Amercia"], "tags": ["beta"]}, counts) == {
        "regions": ["North Amercia"]}


def test_held_values_list_each_value_once_in_order(any_session):
    for region, industry in (("EMEA", "Software"), ("LATAM", ""), ("EMEA", "Retail"), ("", "Retail"),
                             ("North America", "Software"), ("APAC", "Media")):
        make_advocate(any_session, region=region, industry=industry)
    any_session.flush()
    assert audiences.held_values(any_session) == {"regions": ["APAC", "EMEA", "LATAM", "North America"],
                                                 "industries": ["Media", "Retail", "Software"]}


def test_held_values_on_no_advocates_are_empty(any_session):
    assert audiences.held_values(any_session) == {"regions": [], "industries": []}


@pytest.mark.parametrize("column", [Advocate.region, Advocate.industry], ids=["region", "industry"])
def test_held_values_read_the_index_not_every_advocate(any_session, column):
    """The leaderboard page reads these on every load: each step must be an index seek."""
    bind = any_session.get_bind()
    sql = str(audiences.held_query(column).compile(bind, compile_kwargs={"literal_binds": True}))
    index = f"ix_advocate_{column.key}_points"
    if bind.dialect.name == "sqlite":
        plan = [row[3] for row in any_session.execute(text("EXPLAIN QUERY PLAN " + sql))]
        assert not [step for step in plan if step.startswith("SCAN advocate")], plan
        assert sum(f"COVERING INDEX {index}" in step for step in plan) == 2, plan
    else:  # a table this small is read sequentially unless told not to; the index must be usable
        any_session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in any_session.execute(text("EXPLAIN " + sql)))
        assert "Seq Scan on advocate" not in plan and index in plan, plan


def test_resolve_keeps_unknown_emails_out_without_raising(any_session):
    known = make_advocate(any_session, email="ada@example.com")
    any_session.flush()
    stored, unknown = audiences.resolve(any_session, catalog.Audience(
        regions=["EMEA"], advocate_emails=["ADA@example.com", "nobody@example.com"]))
    assert stored == {"regions": ["EMEA"], "advocate_ids": [known.id]} and unknown == ["nobody@example.com"]
