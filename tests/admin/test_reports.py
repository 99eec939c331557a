"""The program figures page: marketing and admins only, a period chosen by date, errors next to the field."""

import re

import pytest

from app.services.program import settings as settings_service
from tests.services.analytics.test_kpis import TZ, build_program


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_curators_see_the_figures_of_the_period(as_role, client, session, now, role):
    settings_service.save(session, changes={"timezone": TZ}, actor_id=None, now=now)
    build_program(session)
    session.commit()
    as_role(role)
    page = _text(client.get("/admin/figures?from=2026-05-01&to=2026-06-15"))
    assert "01 May 2026 – 15 Jun 2026 (46 days, America/New_York)" in page
    assert "60.0 %" in page and "3 eligible advocates ÷ 5 eligible" in page  # coverage
    assert "60.0 %" in page and "40.0 %" in page  # activation, referral conversion
    assert "USD 2,000.00" in page and "USD 50.00" in page and "39.0 : 1" in page  # sourced, cost, ROI
    assert "USD 39.00 back, net of cost, for every USD 1.00 spent" in page
    assert "4.7 d" in page  # half-life
    assert 'aria-label="May 2026: 2 actions"' in page and 'aria-label="June 2026: 3 actions"' in page
    assert 'aria-label="Burning: 1 advocates"' in page
    assert "average review rating (no rated reviews)" in page


def test_the_trend_charts_are_drawn_inline_with_a_data_table_each(as_role, client, session, now):
    settings_service.save(session, changes={"timezone": TZ, "currency": "EUR"}, actor_id=None, now=now)
    build_program(session)
    session.commit()
    as_role("marketing")
    page = _text(client.get("/admin/figures?from=2026-05-01&to=2026-06-15"))
    for title in ("Approved actions per week, by kind", "Referral funnel by month",
                  "Active advocates by status at each month&#39;s end",
                  "Asks per advocate in the last 365 days"):
        assert f'class="chart-title">{title}</figcaption>' in page
    assert page.count('<svg viewBox="0 0 640 240"') == 4 and page.count("<caption>") == 4
    assert "<title>May 2026, Submissions: 5</title>" in page  # the funnel's tallest bar
    assert '<th scope="row">4 May 2026</th><td>1</td>' in page  # a2's review, in the actions table
    section = page.split('id="trends-heading"', 1)[1].split('id="notes-heading"', 1)[0]
    assert "<script" not in section and "src=" not in section and "style=" not in section  # CSP-safe
    assert "EUR 2,000.00" in page and "USD" not in page


def test_the_default_period_is_the_last_30_days(as_role, client):
    as_role("marketing")
    page = _text(client.get("/admin/figures"))
    assert "17 May 2026 – 15 Jun 2026 (30 days, UTC)" in page
    assert 'href="/admin/figures"' in _text(client.get("/admin/"))


def test_a_csm_may_not_see_program_wide_figures(as_role, client):
    as_role("csm")
    assert client.get("/admin/figures").status_code == 403
    assert "/admin/figures" not in _text(client.get("/admin/"))


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=yesterday", "from", "Not a valid date value"),
    ("to=2026-02-30", "to", "Not a valid date value"),
    ("from=2026-06-02&to=2026-06-01", "from", "from must be on or before to."),
    ("from=2020-01-01&to=2026-06-01", "from", "at most 1,098 days"),
    ("from=0001-01-01", "from", "from must be a date from 1970 to 9998."),
    ("to=9999-12-31", "to", "to must be a date from 1970 to 9998."),
])
def test_a_bad_period_is_shown_next_to_its_field_and_no_figures(as_role, client, query, field, message):
    as_role("marketing")
    response = client.get(f"/admin/figures?{query}")
    page = _text(response)
    assert response.status_code == 200
    assert re.search(rf'<small id="{field}-error" class="field-error">[^<]*{re.escape(message)}', page), page
    assert "Headline figures" not in page


def test_typed_text_comes_back_escaped(as_role, client):
    as_role("marketing")
    page = client.get("/admin/figures?from=<script>x</script>").get_data(as_text=True)
    assert "<script>x" not in page and "&lt;script&gt;" in page
