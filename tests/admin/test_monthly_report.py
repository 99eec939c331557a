"""The monthly report from the figures page: marketing and admins read any month's report and download
its HTML and CSV; a CSM or an advocate may not; a bad month is refused next to the field."""

import re

import pytest

from app.services import clock
from app.services.analytics import report, report_output
from tests.services.analytics.test_report import MAY, build_month


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_curators_read_a_months_report_with_its_charts(as_role, client, session, role):
    build_month(session)
    session.commit()
    as_role(role)
    page = _text(client.get("/admin/figures/monthly?month=2026-05"))
    assert "<h1>Monthly report: May 2026</h1>" in page
    assert ('<tr data-kpi="sourced_revenue_cents"><th scope="row">Sourced revenue</th><td>800.00 USD</td>'
            "<td>0.00 USD</td><td>+800.00 USD</td></tr>") in page
    assert "<td>Ada <span class=\"muted\">(Acme)</span></td><td>500</td>" in page
    assert page.count('<svg viewBox="0 0 640 240"') == 4  # the page draws the charts
    assert 'href="/admin/figures/monthly.csv?month=2026-05"' in page
    assert 'href="/admin/figures/monthly.html?month=2026-05"' in page
    assert 'aria-current="page">Figures</a>' in page


def test_the_downloads_are_the_reports_csv_and_the_emails_html(as_role, client, session):
    build_month(session)
    session.commit()
    as_role("marketing")
    expected = report.build(session, month=MAY, now=clock.utcnow())
    got = client.get("/admin/figures/monthly.csv?month=2026-05")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert got.headers["Content-Disposition"] == 'attachment; filename="monthly-report-2026-05.csv"'
    assert got.get_data(as_text=True) == report_output.to_csv(expected)
    got = client.get("/admin/figures/monthly.html?month=2026-05")
    assert got.mimetype == "text/html"
    assert got.headers["Content-Disposition"] == 'attachment; filename="monthly-report-2026-05.html"'
    assert got.get_data(as_text=True) == report_output.render(session, expected)[1]


def test_the_default_month_is_last_month_and_the_figures_page_offers_it(as_role, client):
    as_role("marketing")
    page = _text(client.get("/admin/figures/monthly"))  # the clock is frozen on 15 June 2026
    assert "<h1>Monthly report: May 2026</h1>" in page and 'value="2026-05"' in page
    assert "No points were earned this month." in page and "No content was added this month." in page
    assert 'action="/admin/figures/monthly"' in _text(client.get("/admin/figures"))


@pytest.mark.parametrize("path", ["/admin/figures/monthly", "/admin/figures/monthly.csv",
                                  "/admin/figures/monthly.html"])
def test_a_bad_month_is_refused_next_to_the_field(as_role, client, path):
    as_role("marketing")
    got = client.get(f"{path}?month=2026-13")
    page = _text(got)
    assert got.status_code == 400 and got.mimetype == "text/html"
    assert 'aria-invalid="true"' in page and 'class="field-error">Choose a month (YYYY-MM).</small>' in page


@pytest.mark.parametrize("role", ["csm", "advocate"])
@pytest.mark.parametrize("path", ["/admin/figures/monthly?month=2026-05",
                                  "/admin/figures/monthly.csv?month=2026-05",
                                  "/admin/figures/monthly.html?month=2026-05"])
def test_only_marketing_and_admins_get_it(as_role, client, role, path):
    as_role(role)
    got = client.get(path)
    assert got.status_code in (302, 403) and b"Sourced revenue" not in got.data


def test_anonymous_visitors_are_sent_to_sign_in(client):
    got = client.get("/admin/figures/monthly.csv?month=2026-05")
    assert got.status_code == 302 and "/login" in got.headers["Location"]
