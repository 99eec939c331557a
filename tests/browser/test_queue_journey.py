"""The approval queue by keyboard in a real browser: j moves down, a approves (the row says
"Approved · +N points" in place and the next row takes the focus), r focuses the reason and Enter
rejects; an image evidence shows as a thumbnail through the evidence route; nothing reloads."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, AttemptState, LedgerEntry, StaffRole
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_activity, make_advocate, make_mission, make_staff, make_submitted_attempt

pytestmark = pytest.mark.browser


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 160), (37, 99, 235)).save(out, "PNG")
    return out.getvalue()


def fill_queue(app, now):
    """Three submissions, oldest first: link evidence (400 points), text (250), an image (150)."""
    with app.app_context():
        session = db.session
        make_staff(session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        review = make_activity(session, name="Review", evidence="link", points=400)
        story = make_activity(session, name="Story", evidence="text", points=250)
        photo = make_activity(session, name="Event photo", evidence="file", points=150)
        upload = Path(app.config["UPLOAD_FOLDER"])
        upload.mkdir(parents=True, exist_ok=True)
        (upload / "feedc0ffee01.png").write_bytes(png_bytes())
        made = [
            make_submitted_attempt(session, advocate=make_advocate(session, name="Dana Reyes",
                                                                   company="Acme"),
                                   mission=make_mission(session, title="Review us on G2", activity=review),
                                   link="https://www.g2.com/products/rallypoint/reviews/1"),
            make_submitted_attempt(session, advocate=make_advocate(session, name="Lee <b>Bold</b>",
                                                                   company="Globex"),
                                   mission=make_mission(session, title="Tell your story", activity=story),
                                   text="We cut onboarding from 3 weeks to 4 days. <script>x</script>"),
            make_submitted_attempt(session, advocate=make_advocate(session, name="Sam Photo",
                                                                   company="Initech"),
                                   mission=make_mission(session, title="Share a booth photo", activity=photo),
                                   file_token="feedc0ffee01.png", filename="booth.png", mimetype="image/png"),
        ]
        for minutes, attempt in zip((30, 20, 10), made, strict=True):
            attempt.submitted_at = now.replace(microsecond=0) - timedelta(minutes=minutes)
        session.commit()
        return [a.id for a in made]


def test_a_curator_clears_the_queue_with_the_keyboard(browser, live_server, now):
    app, base_url = live_server
    link_id, text_id, image_id = fill_queue(app, now)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")
    page.goto(f"{base_url}/admin/approvals")
    assert page.locator(".queue-keys").inner_text().count("approve") == 1
    thumb = page.locator(f"#row-{image_id} .qrow-thumb img")
    # the thumbnail is served through the evidence route (its access checks), inline
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 240
    assert page.locator(f"#row-{link_id} .qrow-domain").inner_text() == "g2.com"
    assert "<script>x</script>" in page.locator(f"#row-{text_id} .qrow-text").inner_text()  # shown as text

    page.keyboard.press("j")  # the first (oldest) row
    assert page.evaluate("document.activeElement.id") == f"row-{link_id}"
    page.keyboard.press("a")
    page.locator(f"#row-{link_id} .qrow-status", has_text="Approved · +400 points").wait_for()
    assert page.evaluate("document.activeElement.id") == f"row-{text_id}"  # the next one, in place

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == f"reject{text_id}-reason"
    page.keyboard.press("Enter")  # no reason: refused next to the field, nothing changes
    page.locator(f"#reject{text_id}-reason-error").wait_for()
    page.keyboard.type("Please add the customer's name.")
    page.keyboard.press("Enter")
    page.locator(f"#row-{text_id} .qrow-status", has_text="Rejected").wait_for()
    assert page.evaluate("document.activeElement.id") == f"row-{image_id}"
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == f"row-{link_id}"
    assert page.url.endswith("/admin/approvals")  # never reloaded
    assert page.locator("[data-count=waiting]").inner_text() == "1"  # the counts follow
    assert [e for e in errors if "status of 422" not in e] == []  # (the empty reason's answer is a 422)

    with app.app_context():
        states = dict(db.session.execute(select(Attempt.id, Attempt.state)).all())
        entries = db.session.scalars(select(LedgerEntry.idempotency_key)).all()
    assert states == {link_id: AttemptState.APPROVED, text_id: AttemptState.REJECTED,
                      image_id: AttemptState.SUBMITTED}
    assert [key for key in entries if key.startswith("mission-attempt:")] == [f"mission-attempt:{link_id}"]


def test_bulk_decisions_confirm_in_place(browser, live_server, now):
    app, base_url = live_server
    link_id, text_id, image_id = fill_queue(app, now)
    page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")
    page.goto(f"{base_url}/admin/approvals")
    page.get_by_role("button", name="Approve selected").click()  # nothing selected: said, nothing sent
    page.locator("#bulk-status", has_text="Select at least one submission.").wait_for()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.get_by_role("button", name="Reject selected").click()  # no reason yet
    page.locator("#reason-error").wait_for()
    page.locator("#reason").fill("Please use the public link.")
    page.get_by_role("button", name="Reject selected").click()
    page.locator("#bulk-status", has_text="Rejected 2 submissions").wait_for()
    for attempt_id in (link_id, image_id):
        assert page.locator(f"#row-{attempt_id} .qrow-status").inner_text() == "Rejected"
    assert page.locator(f"#row-{text_id} .qrow-approve").is_visible()
    assert page.url.endswith("/admin/approvals")
    assert [e for e in errors if "status of 422" not in e] == []
    with app.app_context():
        states = dict(db.session.execute(select(Attempt.id, Attempt.state)).all())
    assert states == {link_id: AttemptState.REJECTED, text_id: AttemptState.SUBMITTED,
                      image_id: AttemptState.REJECTED}
