"""The approval queue page: bulk forms (each award once, a reason to reject), decisions that come back to
the same filters and page, answers in JSON for the queue's script, image previews under the evidence
route's checks, the filters and pages through the page."""

import io
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from app.models import Attempt, AttemptState, LedgerEntry
from tests.factories import make_activity, make_advocate, make_mission, make_submitted_attempt

JSON = {"Accept": "application/json"}


def mission_keys(session) -> list[str]:
    return session.scalars(select(LedgerEntry.idempotency_key).where(
        LedgerEntry.idempotency_key.like("mission-attempt:%"))).all()


def waiting(session, count, points=150, **advocate):
    activity = make_activity(session, points=points)
    made = [make_submitted_attempt(session, advocate=make_advocate(session, **advocate),
                                   mission=make_mission(session, activity=activity)) for _ in range(count)]
    session.commit()
    return [a.id for a in made]


def test_bulk_approve_of_fifty_awards_each_once_and_a_repeated_form_awards_nothing(as_role, client, session):
    as_role("marketing")
    chosen = waiting(session, 50, points=200)
    form = {"ids": [str(i) for i in chosen], "action": "approve", "back": "sort=newest&after=junk"}
    first = client.post("/admin/approvals/bulk", data=form)
    assert first.status_code == 302 and first.location.endswith("/admin/approvals?sort=newest&after=junk")
    assert "Approved 50 submissions (+10,000 points in all)." in client.get("/admin/approvals").get_data(True)
    again = client.post("/admin/approvals/bulk", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Approved 0 submissions" in again and "50 skipped" in again
    assert sorted(mission_keys(session)) == sorted(f"mission-attempt:{i}" for i in chosen)
    assert {a.state for a in session.scalars(select(Attempt)).all()} == {AttemptState.APPROVED}


def test_bulk_reject_needs_a_reason_shown_next_to_it(as_role, client, session):
    as_role("marketing")
    chosen = waiting(session, 3)
    response = client.post("/admin/approvals/bulk", data={"ids": chosen, "action": "reject", "reason": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="reason-error"' in page
    assert "Give the advocates a reason." in page
    assert {a.state for a in session.scalars(select(Attempt)).all()} == {AttemptState.SUBMITTED}
    done = client.post("/admin/approvals/bulk", follow_redirects=True,
                       data={"ids": chosen, "action": "reject", "reason": "Not public"})
    assert "Rejected 3 submissions" in done.get_data(as_text=True)
    assert {a.decision_reason for a in session.scalars(select(Attempt)).all()} == {"Not public"}


def test_bulk_without_a_selection_says_so(as_role, client, session):
    as_role("marketing")
    waiting(session, 1)
    response = client.post("/admin/approvals/bulk", data={"action": "approve"})
    assert response.status_code == 422
    assert "Select at least one submission." in response.get_data(as_text=True)


def test_a_single_decision_comes_back_to_the_same_filters_and_page(as_role, client, session):
    as_role("marketing")
    (attempt_id,) = waiting(session, 1)
    back = "activity=1&sort=points&advocate=dana&after=200.20260101000000000000.3&evil=https://x.test"
    response = client.post(f"/admin/approvals/{attempt_id}/approve", data={"back": back})
    assert response.status_code == 302
    assert response.location == ("/admin/approvals?activity=1&sort=points&advocate=dana"
                                 "&after=200.20260101000000000000.3")


def test_an_unreasoned_reject_shows_the_error_in_the_row_on_the_same_page(as_role, client, session):
    as_role("marketing")
    first, second = waiting(session, 2)
    response = client.post(f"/admin/approvals/{second}/reject", data={f"reject{second}-reason": "",
                                                                       "back": "sort=newest"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="reject{second}-reason-error"' in page
    assert '<option selected value="newest">' in page or 'value="newest" selected' in page


def test_decisions_answer_json_for_the_queue_script(as_role, client, session):
    as_role("marketing")
    first, second, third = waiting(session, 3, points=400)
    approved = client.post(f"/admin/approvals/{first}/approve", headers=JSON)
    assert approved.get_json()["decided"] == {str(first): "Approved · +400 points"}
    refused = client.post(f"/admin/approvals/{second}/reject", headers=JSON,
                          data={f"reject{second}-reason": ""})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    twice = client.post(f"/admin/approvals/{first}/approve", headers=JSON)
    assert twice.status_code == 409 and "already decided" in twice.get_json()["error"]["message"]
    bulk = client.post("/admin/approvals/bulk", headers=JSON,
                       data={"ids": [second, third], "action": "reject", "reason": "Broken link"})
    assert bulk.get_json()["decided"] == {str(second): "Rejected", str(third): "Rejected"}
    assert mission_keys(session) == [f"mission-attempt:{first}"]


def test_the_page_filters_counts_and_pages_through_links(as_role, client, session, now):
    as_role("marketing")
    acme = waiting(session, 30, company="Acme")
    waiting(session, 2, company="Globex")
    page = client.get("/admin/approvals?company=acme").get_data(as_text=True)
    assert '<strong data-count="waiting">32</strong> waiting' in page
    assert '<strong data-count="matching">30</strong> match these filters' in page
    assert len(re.findall(r'<article class="qrow', page)) == 25 and "showing 1–25" in page
    later = re.search(r'href="(/admin/approvals\?[^"]*after=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "company=acme" in later
    waiting(session, 1, company="Acme")  # arrives while the curator reads page one
    rest = client.get(later).get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'id="row-(\d+)"', rest)]
    assert shown == acme[25:] + [max(a.id for a in session.scalars(select(Attempt)).all())]
    assert "showing 26–31" in rest and "First page" not in rest  # the previous page is the first
    back = re.search(r'href="([^"]*)" rel="prev">← Previous page', rest).group(1).replace("&amp;", "&")
    assert "after=" not in back and "company=acme" in back


def _image_attempt(session, app, mimetype="image/png", name="c0ffee000001.png"):
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(out, "PNG")
    (folder / name).write_bytes(out.getvalue())
    activity = make_activity(session, evidence="file")
    attempt = make_submitted_attempt(session, mission=make_mission(session, activity=activity),
                                     file_token=name, filename="booth.png", mimetype=mimetype)
    session.commit()
    return attempt


def test_an_image_shows_inline_as_a_thumbnail(as_role, client, session, app):
    as_role("marketing")
    attempt = _image_attempt(session, app)
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert f'src="/admin/attempts/{attempt.id}/evidence/preview"' in page
    response = client.get(f"/admin/attempts/{attempt.id}/evidence/preview")
    body = response.data
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/png" and body.startswith(b"\x89PNG")
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_only_images_preview_and_only_for_who_may_see_the_evidence(as_role, client, session, app):
    csm = as_role("csm")
    attempt = _image_attempt(session, app)
    assert client.get(f"/admin/attempts/{attempt.id}/evidence/preview").status_code == 404
    attempt.advocate.owner_id = csm.id
    session.commit()
    ok = client.get(f"/admin/attempts/{attempt.id}/evidence/preview")
    ok.close()
    assert ok.status_code == 200
    pdf = _image_attempt(session, app, mimetype="application/pdf", name="c0ffee000002.pdf")
    pdf.advocate.owner_id = csm.id
    session.commit()
    assert client.get(f"/admin/attempts/{pdf.id}/evidence/preview").status_code == 404


def test_a_csm_may_not_use_the_queue_or_its_bulk_form(as_role, client, session):
    as_role("csm")
    chosen = waiting(session, 2)
    assert client.get("/admin/approvals").status_code == 403
    assert client.post("/admin/approvals/bulk", data={"ids": chosen, "action": "approve"}).status_code == 403
    assert mission_keys(session) == []
