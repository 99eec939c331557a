"""Importing customers in a real browser: marketing uploads a CRM export whose headers are not the
field names, sees the columns matched by alias, maps the one left over, confirms and reads the
report with the rejected row; the records are stored with the mapped values."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Advocate, StaffRole
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_staff

pytestmark = pytest.mark.browser

EXPORT = ("Customer ID,E-mail,Full name,Health,Region code\n"
          "CRM-1,ana@example.com,Ana Alvarez,88,EMEA\n"
          "CRM-2,ben@example.com,Ben Brooks,71,APAC\n"
          "CRM-3,cara@example.com,Cara Chen,eighty,EMEA\n")


@pytest.fixture
def program(live_server):
    app, base_url = live_server
    with app.app_context():
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        db.session.commit()
    return app, base_url


def test_marketing_uploads_maps_a_column_confirms_and_reads_the_report(browser, program, tmp_path):
    app, base_url = program
    export = tmp_path / "crm-export.csv"
    export.write_text(EXPORT)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")

    page.goto(f"{base_url}/admin/customers/import")
    page.get_by_label("CSV file").set_input_files(str(export))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()

    assert page.get_by_role("heading", name="Map the columns").is_visible()
    assert page.get_by_label("Customer ID").input_value() == "external_id"
    assert page.get_by_label("E-mail").input_value() == "email"
    assert page.get_by_label("Health").input_value() == "health_score"
    assert page.get_by_label("Region code").input_value() == ""  # no field by that name: ignored for now
    assert "Line 4: health_score: a whole number from 0 to 100" in page.locator(".row-problems").inner_text()

    page.get_by_label("Region code").select_option("region")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()

    assert page.get_by_role("heading", name="Import report").is_visible()
    counts = page.locator("table.report-counts tbody td").all_inner_texts()
    assert counts == ["2", "0", "0", "1"]
    rejected = page.locator("table.stack tbody tr").first.inner_text()
    assert "4" in rejected and "CRM-3" in rejected and "health_score" in rejected
    assert page.get_by_role("link", name="Download all 1 rejected rows (CSV)").is_visible()
    assert errors == []

    with app.app_context():
        stored = {a.external_id: (a.name, a.region, a.health_score)
                  for a in db.session.scalars(select(Advocate))}
    assert stored == {"CRM-1": ("Ana Alvarez", "EMEA", 88), "CRM-2": ("Ben Brooks", "APAC", 71)}
