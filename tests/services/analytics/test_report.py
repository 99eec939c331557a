"""The monthly report of May 2026 against April, on the hand-computed program of test_kpis.py plus
points, reference requests and recipients worked out here. America/New_York: May is
[2026-05-01 04:00, 2026-06-01 04:00) UTC, April [2026-04-01 04:00, 2026-05-01 04:00).

Worked out by hand (see test_kpis.py's comments for the attempts, referrals and redemptions):
- approved actions: May a1's review (31 May 23:30 local) and a2's review; April a2's social post
  (30 April 23:00 local). Reviews 2 / 0. Activated (eligible) 2 / 1 of 5 eligible: 40 % / 20 %.
- referrals made in May: 5 May, 6 May, 8 May, 10 May and 1 June 00:00 UTC (31 May local) = 5, of them
  qualified 4, converted by now 2 (40 %); April: the one of 20 April (qualified, converted: 100 %).
  Clicks: 5 May in May; 1 April 00:00 UTC is 31 March local, so none in April.
- sourced revenue: the 800 deal converted 20 May; April none. Cost: 25.00 (the priced reward; the
  unpriced one counts 0, 2 sent) / 10.00 (1 sent). ROI (800 - 25) / 25 = 31.00; April (0 - 10) / 10 = -1.00.
- half-life at May's end: a1 10 Jan 04:30 → 1 Jun 03:30 = 141.958 d, a2 1 May 03:00 → 10 May 12:00 =
  9.375 d; median 75.7. At April's end each has one action: 0.0.
- references filed in May: Globex (3 May 12:00 → 8 May 00:00 = 4.5 d) and Hooli (20 May 00:00 →
  1 Jun 05:00 = 12.208 d), mean 8.4; the cancelled one is not counted. April: Initech (20 April 12:00 →
  1 Jun 03:00 = 41.6 d). Fulfilled *in May* (local): Globex (7 May local) and Initech (31 May local).
- the May leaderboard: Ada 500, Ben 200 (1 Jun 03:00 UTC = 31 May local), the opted-out Cy 100 as
  "Anonymous advocate"; Dee's 300 on 30 April local and 50 on 1 June local are not May's.
"""

import csv
import io
import re
from datetime import date, datetime

import pytest

from app.models import (
    ContentItem,
    ContentKind,
    ContentState,
    LedgerReason,
    ReferenceAsk,
    ReferenceAskState,
    ReferenceRequest,
    ReferenceRequestState,
)
from app.services.analytics import report, report_output
from app.services.errors import ValidationFailed
from app.services.points import ledger
from app.services.program import settings as settings_service
from tests.factories import make_advocate
from tests.services.analytics.test_kpis import NOW, TZ, build_program

MAY = date(2026, 5, 1)
RQ, RA = ReferenceRequestState, ReferenceAskState
EXPECTED = {  # key: (May, April)
    "actions": (2, 1), "reviews": (2, 0), "activated": (2, 1), "activation_rate": (0.4, 0.2),
    "funnel.clicks": (1, 0), "funnel.submissions": (5, 1), "funnel.qualified": (4, 1),
    "funnel.converted": (2, 1), "funnel.conversion_rate": (0.4, 1.0),
    "sourced_revenue_cents": (80000, 0), "program_cost_cents": (2500, 1000), "rewards.fulfilled": (2, 1),
    "roi": (31.0, -1.0), "half_life.median_days": (75.7, 0.0), "references.filed": (2, 1),
    "references.fulfilled": (2, 1), "references.fulfilment_rate": (1.0, 1.0),
    "references.days_to_fulfil": (8.4, 41.6),
}
CSV_KPIS = {  # label: (unit, May, April, change) as the CSV holds them
    "Approved actions": ("count", "2", "1", "1"), "Reviews approved": ("count", "2", "0", "2"),
    "Activation rate": ("%", "40.0", "20.0", "20.0"), "Referrals submitted": ("count", "5", "1", "4"),
    "Referral conversion": ("%", "40.0", "100.0", "-60.0"),
    "Sourced revenue": ("USD", "800.00", "0.00", "800.00"),
    "Program cost": ("USD", "25.00", "10.00", "15.00"),
    "ROI": ("x", "31.00", "-1.00", "32.00"), "Half-life (median)": ("days", "75.7", "0.0", "75.7"),
    "Days to fulfil a reference": ("days", "8.4", "41.6", "-33.2"),
}


def _points(session, advocate, amount, at):
    ledger.post_entry(session, advocate_id=advocate.id, amount=amount, reason=LedgerReason.BONUS,
                      idempotency_key=f"report-test:{advocate.id}:{at.isoformat()}", now=at)


def _request(session, company, filed, fulfilled, advocate, state=RQ.COMPLETED, industry=""):
    request = ReferenceRequest(prospect_company=company, industry=industry, state=state, created_at=filed,
                               fulfilled_at=fulfilled)
    session.add(request)
    session.flush()
    session.add(ReferenceAsk(request_id=request.id, advocate_id=advocate.id, rank=1, fit_score=10,
                             state=RA.COMPLETED if fulfilled else RA.OFFERED, sent_at=filed, due_at=filed,
                             completed_at=fulfilled))


def build_month(session):
    settings_service.save(session, changes={"timezone": TZ}, actor_id=None, now=NOW)
    build_program(session)
    ada, ben, cy, dee = (make_advocate(session, name=name, company=company, eligible=False, **extra)
                         for name, company, extra in (("Ada", "Acme", {}), ("Ben", "Bolt", {}),
                                                      ("Cy", "Cyan", {"leaderboard_opt_out": True}),
                                                      ("Dee", "Dune", {})))
    _points(session, ada, 500, datetime(2026, 5, 15, 12, 0))
    _points(session, ben, 200, datetime(2026, 6, 1, 3, 0))
    _points(session, cy, 100, datetime(2026, 5, 10, 12, 0))
    _points(session, dee, 300, datetime(2026, 5, 1, 3, 0))
    _points(session, dee, 50, datetime(2026, 6, 1, 5, 0))
    _request(session, "Globex", datetime(2026, 5, 3, 12, 0), datetime(2026, 5, 8, 0, 0), ada,
             industry="Retail")
    _request(session, "Hooli", datetime(2026, 5, 20), datetime(2026, 6, 1, 5, 0), ben)
    _request(session, "Initech", datetime(2026, 4, 20, 12, 0), datetime(2026, 6, 1, 3, 0), ben)
    _request(session, "Umbrella", datetime(2026, 5, 25), None, ada, state=RQ.CANCELLED)
    session.flush()
    return ada, ben


@pytest.fixture
def may(session):
    build_month(session)
    return report.build(session, month=MAY, now=NOW)


def test_the_month_against_the_month_before(may):
    found = {kpi.key: (kpi.value, kpi.previous) for kpi in may.kpis}
    assert {key: found[key] for key in EXPECTED} == EXPECTED
    assert [kpi.key for kpi in may.kpis][:len(EXPECTED)] == list(EXPECTED)  # the headline first, in order
    assert not {"coverage", "references.open_requests", "references.availability"} & set(found)  # snapshots
    assert may.period.first == MAY and may.period.last == date(2026, 5, 31)
    assert may.title == "Rallypoint: the report for May 2026"


def test_top_advocates_references_and_content_of_the_month(may):
    assert [(row.rank, row.name, row.company, row.points) for row in may.top_advocates] == [
        (1, "Ada", "Acme", 500), (2, "Ben", "Bolt", 200), (3, "Anonymous advocate", "", 100)]
    assert [(r.company, r.industry, r.advocate, r.fulfilled_on, r.days) for r in may.references] == [
        ("Globex", "Retail", "Ada", date(2026, 5, 7), 4.5), ("Initech", "", "Ben", date(2026, 5, 31), 41.6)]
    assert [chart.key for chart in may.charts] == ["actions", "funnel", "status", "asks"]
    funnel = dict(may.charts[1].rows)
    assert list(funnel)[0] == "Dec 2025" and funnel["May 2026"] == [1, 5, 4, 2]  # six months to May


def test_the_csv_holds_the_hand_computed_numbers(may):
    rows = list(csv.reader(io.StringIO(report_output.to_csv(may))))
    assert rows[0] == ["section", "item", "detail", "value", "previous_month", "change"]
    kpis = {row[1]: tuple(row[2:]) for row in rows if row[0] == "kpi"}
    assert {label: kpis[label] for label in CSV_KPIS} == CSV_KPIS
    assert kpis["Reference fulfilment rate"] == ("%", "100.0", "100.0", "0.0")
    assert [row[1:4] for row in rows if row[0] == "top_advocate"] == [
        ["Ada", "Acme", "500"], ["Ben", "Bolt", "200"], ["Anonymous advocate", "", "100"]]
    assert [row[1:4] for row in rows if row[0] == "reference_fulfilled"] == [
        ["Globex", "Ada, 2026-05-07", "4.5"], ["Initech", "Ben, 2026-05-31", "41.6"]]
    assert ["chart:funnel", "May 2026", "Submissions", "5", "", ""] in rows
    assert ["chart:asks", "Burning (11+)", "Advocates", "1", "", ""] in rows


def _kpi_cells(html: str, key: str) -> list[str]:
    row = re.search(rf'<tr data-kpi="{re.escape(key)}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r"<td>(.*?)</td>", row)


def test_the_html_shows_the_same_numbers_and_the_charts_as_tables(session, may):
    text, html = report_output.render(session, may)
    assert _kpi_cells(html, "sourced_revenue_cents") == ["800.00 USD", "0.00 USD", "+800.00 USD"]
    assert _kpi_cells(html, "activation_rate") == ["40.0 %", "20.0 %", "+20.0 pts"]
    assert _kpi_cells(html, "funnel.conversion_rate") == ["40.0 %", "100.0 %", "−60.0 pts"]
    assert _kpi_cells(html, "roi") == ["31.00×", "−1.00×", "+32.00×"]
    assert _kpi_cells(html, "references.days_to_fulfil") == ["8.4 d", "41.6 d", "−33.2 d"]
    assert "Anonymous advocate" in html and "Cy" not in re.sub(r"Cyan|Cy[a-z]", "", html)
    assert "<svg" not in html and html.count("<caption>") == 4  # mail clients get the data tables
    assert "Sourced revenue: 800.00 USD / 0.00 USD / +800.00 USD" in text


def test_a_figure_added_to_the_structures_later_appears_in_the_report():
    rows = report.kpi_rows({"actions": 3, "attribution.influenced_cents": 120000, "nps_rate": 0.5,
                            "coverage": 0.3},
                           {"actions": 1, "attribution.influenced_cents": 20000})
    assert [(k.key, k.label, k.unit, k.value, k.previous, k.change) for k in rows] == [
        ("actions", "Approved actions", "count", 3, 1, 2),
        ("attribution.influenced_cents", "Influenced revenue", "money", 120000, 20000, 100000),
        ("nps_rate", "Nps rate", "rate", 0.5, None, None)]


def test_new_content_lists_the_items_added_in_the_month_in_order(session):
    def item(title, created_at, kind=ContentKind.TESTIMONIAL, state=ContentState.APPROVED):
        session.add(ContentItem(kind=kind, state=state, title=title, author_name="Ada",
                                created_at=created_at))

    item("Before", datetime(2026, 5, 1, 3, 59))  # 23:59 on 30 April in New York
    item("Late", datetime(2026, 5, 20, 9, 0), kind=ContentKind.CASE_STUDY, state=ContentState.DRAFT)
    item("First", datetime(2026, 5, 1, 4, 0))  # midnight on 1 May there
    item("After", datetime(2026, 6, 1, 4, 0))
    session.flush()
    rows = report.new_content(session, report.month_period(MAY, TZ))
    assert [(r.title, r.kind, r.state, r.created_on) for r in rows] == [
        ("First", "Testimonial", "Approved", date(2026, 5, 1)),
        ("Late", "Case study", "Draft", date(2026, 5, 20))]


@pytest.mark.parametrize("value", ["", "2026-13", "May", "0001-01", "2026-5-1"])
def test_a_month_is_written_yyyy_mm(value):
    with pytest.raises(ValidationFailed) as error:
        report.parse_month(value)
    assert error.value.field == "month"


def test_last_month_is_read_in_the_program_timezone():
    assert report.last_month(datetime(2026, 6, 1, 3, 59), TZ) == date(2026, 4, 1)  # still 31 May locally
    assert report.last_month(datetime(2026, 6, 1, 4, 0), TZ) == MAY
    assert report.parse_month("2026-05") == MAY
