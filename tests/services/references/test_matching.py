"""Matching: the hand-computed ranking, its reasons, and who is left out (opt-in, status, cap, governor)."""

import pytest
from sqlalchemy import select

from app.models import AdvocateState, Status
from app.services import references
from app.services.references import matching
from tests.services.asks.support import sent_ask
from tests.services.references.support import D, new_request, referee, reference_activity


@pytest.fixture
def activity(session):
    return reference_activity(session)


def ids(matches):
    return [m.advocate_id for m in matches]


def test_ranks_a_hand_computed_fixture(session, now, activity):
    # Request: Software, 51-200, EMEA, use cases sso + migration.
    a = referee(session, now, industry="Software", company_size="51-200", region="EMEA",
                use_cases=["sso", "migration"])  # 40 + 20 + 15 + 25 + 10 (never) = 110
    b = referee(session, now, industry="Software", company_size="1000+", region="NA", use_cases=["sso"],
                last_reference_at=now - 40 * D)  # 40 + 12 (1 of 2) + 2 (40 // 18) = 54
    c = referee(session, now, industry="Retail", company_size="51-200", region="EMEA",
                use_cases=["migration", "sso", "analytics"],
                last_reference_at=now - 100 * D)  # 20 + 15 + 25 + 5 = 65
    d = referee(session, now, industry="software", company_size="51-200", region="APAC",
                last_reference_at=now - 200 * D)  # 40 + 20 + 10 = 70 (case ignored)
    request = new_request(session, now)
    found = references.find_matches(session, request=request, now=now)
    assert ids(found) == [a.id, d.id, c.id, b.id]
    assert [m.fit_score for m in found] == [110, 70, 65, 54]
    assert found[3].reasons == ("Same industry (Software): +40",
                                "Speaks to sso (1 of 2 use cases): +12",
                                "Last reference 40 days ago: +2")
    assert found[0].reasons[-1] == "Has not given a reference yet: +10"


def test_sql_score_equals_the_python_score(session, now, activity):
    for n, last in enumerate([None, now - 17 * D, now - 18 * D, now - 95 * D, now - 179 * D, now - 181 * D]):
        referee(session, now, industry=["Software", "Retail"][n % 2], company_size=["51-200", "1-50"][n % 2],
                region="EMEA", use_cases=[["sso"], ["migration", "sso"], []][n % 3], last_reference_at=last)
    request = new_request(session, now)
    cfg = matching.settings_service.load(session)
    rows = session.execute(matching._candidates(request, cfg, now, session.get_bind().dialect.name)).all()
    assert len(rows) == 6
    assert [row.score for row in rows] == [matching.fit(request, row, now)[0] for row in rows]


def test_equal_fit_prefers_more_rest_then_the_older_record(session, now, activity):
    first = referee(session, now, industry="Retail", last_reference_at=now - 5 * D)
    second = referee(session, now, industry="Retail", last_reference_at=now - 5 * D)
    request = new_request(session, now, industry="Retail", region="", size_band="", use_cases=[])
    assert ids(references.find_matches(session, request=request, now=now)) == [first.id, second.id]


def test_only_opted_in_active_advocates_of_the_minimum_status(session, now, activity):
    ok = referee(session, now)
    referee(session, now, opted_in=False)
    referee(session, now, status=Status.BRONZE)
    referee(session, now, state=AdvocateState.PAUSED)
    referee(session, now, nps=5)
    gold = referee(session, now, status=Status.GOLD)
    request = new_request(session, now)
    assert set(ids(references.find_matches(session, request=request, now=now))) == {ok.id, gold.id}


def test_the_quarterly_cap_counts_only_this_quarter(session, now, activity):
    quarter = matching.quarter_key(now, matching.settings_service.load(session))
    assert quarter == "2026Q2"
    under = referee(session, now, quarter_key=quarter, quarter_count=1)
    referee(session, now, quarter_key=quarter, quarter_count=2)
    last_quarter = referee(session, now, quarter_key="2026Q1", quarter_count=5)
    request = new_request(session, now)
    assert set(ids(references.find_matches(session, request=request, now=now))) == {under.id, last_quarter.id}


def test_the_governor_leaves_out_who_it_would_not_ask(session, now, activity):
    askable = referee(session, now)
    recently_asked = referee(session, now)
    sent_ask(session, recently_asked, now - 10 * D)  # one ask per 60 days
    cooled = referee(session, now)
    sent_ask(session, cooled, now - 30 * D, activity=activity, counts=False)  # reference cooldown 60 days
    request = new_request(session, now)
    assert ids(references.find_matches(session, request=request, now=now)) == [askable.id]


def test_a_later_page_fills_in_when_the_best_are_not_askable(session, now, activity, monkeypatch):
    monkeypatch.setattr(matching, "PAGE", 2)
    best = [referee(session, now, industry="Software", company_size="51-200") for _ in range(3)]
    for advocate in best:
        sent_ask(session, advocate, now - D)
    rest = [referee(session, now, industry="Retail") for _ in range(2)]
    request = new_request(session, now)
    assert ids(references.find_matches(session, request=request, now=now, limit=2)) == [r.id for r in rest]


def test_profile_tags_are_normalised_and_checked(session, now):
    advocate = referee(session, now, use_cases=[" Data Migration", "SSO", "sso"])
    from app.models import ReferenceProfile
    assert session.scalar(select(ReferenceProfile.use_cases).where(
        ReferenceProfile.advocate_id == advocate.id)) == ",data-migration,sso,"
    with pytest.raises(references.normalise_tags.__globals__["ValidationFailed"]):
        references.normalise_tags("50% off")
