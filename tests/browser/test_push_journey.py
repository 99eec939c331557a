"""The ask governor in a real browser: marketing opens a mission, previews and pushes it to a
segment of three advocates (one askable, one asked ten days ago, one with NPS 5) and sees sent,
queued and blocked with the reasons; the queued ask is then on the ask queue."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Ask, AskState, StaffRole
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_activity, make_advocate, make_mission, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        review = make_activity(db.session, name="G2 review")
        make_mission(db.session, title="Review us on G2", activity=review,
                     closes_at=now + timedelta(days=120))
        earlier = make_mission(db.session, title="Earlier webinar", opens_at=now - timedelta(days=30))
        make_advocate(db.session, name="Ada Ready", tags=["beta"])
        recent = make_advocate(db.session, name="Rita Recent", tags=["beta"])
        db.session.add(Ask(advocate_id=recent.id, mission_id=earlier.id, activity_id=earlier.activity_id,
                           state=AskState.SENT, counts_as_ask=True, created_at=now - timedelta(days=10),
                           sent_at=now - timedelta(days=10)))
        make_advocate(db.session, name="Nico Unhappy", tags=["beta"], nps=5)
        make_advocate(db.session, name="Otto Outside", tags=["partner"])
        db.session.commit()
    return base_url


def test_marketing_pushes_a_mission_and_sees_sent_queued_and_blocked(browser, program, now):
    base_url = program
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")

    page.goto(f"{base_url}/admin/missions")
    with page.expect_navigation():
        page.get_by_role("link", name="Review us on G2", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Push to advocates").click()
    page.get_by_label("beta").check()
    page.get_by_label("Priority").select_option(label="High")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    assert re.search(r"\b3\s+advocates in this segment", page.locator("#preview-count").inner_text())
    assert page.get_by_label("beta").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Push to advocates").click()

    assert "/admin/pushes/" in page.url
    assert page.locator("#count-sent .value").inner_text() == "1"
    assert page.locator("#count-queued .value").inner_text() == "1"
    assert page.locator("#count-blocked .value").inner_text() == "1"
    rows = {row.locator("td").first.inner_text(): row.inner_text() for row in page.locator("tbody tr").all()}
    assert set(rows) == {"Ada Ready", "Rita Recent", "Nico Unhappy"}
    assert "Sent" in rows["Ada Ready"]
    assert "Frequency cap" in rows["Rita Recent"]
    assert (now + timedelta(days=50)).strftime("%d %b %Y") in rows["Rita Recent"]
    assert "NPS below 7" in rows["Nico Unhappy"]

    page.locator("header summary", has_text="Program").click()  # the ask queue is in the Program menu
    with page.expect_navigation():
        page.get_by_role("link", name="Ask queue").first.click()
    queue = page.locator("main tbody").inner_text()
    assert "Rita Recent" in queue and "Review us on G2" in queue and "High" in queue
    assert "Ada Ready" not in queue and "Nico Unhappy" not in queue

    assert errors == []
    desk.close()
