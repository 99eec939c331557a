"""Attempt detail and evidence submission: each evidence kind, bad input, double submit, resubmit."""

from io import BytesIO

import pytest

from app.extensions import db
from app.models import AttemptState, Evidence, LedgerEntry
from app.services import missions
from app.services.program import settings
from tests.factories import make_activity, make_mission, make_staff
from tests.portal.conftest import PDF, started
from tests.statements import fresh, watched


def _state(session, attempt):
    session.expire_all()
    return session.get(type(attempt), attempt.id).state


def test_attempt_page_shows_state_deadline_and_history(portal, session, advocate, now):
    attempt = started(session, advocate, now)
    session.commit()
    html = portal.get(f"/portal/attempts/{attempt.id}").get_data(as_text=True)
    assert "pill-started" in html
    assert "Due 29 Jun 2026, 12:00" in html
    assert "Available → <strong>Started</strong>" in html
    assert 'name="link"' in html


@pytest.mark.parametrize(("kind", "field"), [
    (Evidence.LINK, 'name="link"'), (Evidence.TEXT, "<textarea"),
    (Evidence.FILE, 'type="file"'), (Evidence.NONE, "I have done it")])
def test_the_form_asks_only_for_the_evidence_the_activity_needs(portal, session, advocate, now, kind, field):
    attempt = started(session, advocate, now, evidence=kind)
    session.commit()
    html = portal.get(f"/portal/attempts/{attempt.id}").get_data(as_text=True)
    assert field in html
    others = {'name="link"', "<textarea", 'type="file"'} - {field}
    assert not any(other in html.split('id="submit"')[1].split("</section>")[0] for other in others)


def test_submit_a_link(portal, session, advocate, now):
    attempt = started(session, advocate, now)
    session.commit()
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data={"link": "https://g2.com/r/1"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    # One message says it (the page's own state line), not a flash repeating it.
    assert page.count("waiting for review") == 1 and "Submitted! We will review" not in page
    session.expire_all()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.evidence_link == "https://g2.com/r/1"


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Paste the link to your work."),
    ({"link": "not a url"}, "Give the full link, starting with https://"),
    ({"link": "ftp://example.com/file"}, "Give the full link, starting with https://"),
])
def test_bad_link_is_a_field_error_and_changes_nothing(portal, session, advocate, now, data, message):
    attempt = started(session, advocate, now)
    session.commit()
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<small id="link-error" class="field-error">{message}</small>' in html
    assert _state(session, attempt) == AttemptState.STARTED


def test_missing_text_is_a_field_error(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.TEXT)
    session.commit()
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data={"text": "   "})
    assert response.status_code == 422
    assert "Tell us what you did." in response.get_data(as_text=True)
    assert _state(session, attempt) == AttemptState.STARTED


def test_text_is_stored_and_shown_escaped(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.TEXT)
    session.commit()
    portal.post(f"/portal/attempts/{attempt.id}/submit", data={"text": "<script>x</script> We did it"})
    html = portal.get(f"/portal/attempts/{attempt.id}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt; We did it" in html


def test_no_evidence_needed_confirm_and_auto_approve(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.NONE, requires_approval=False, points=50)
    session.commit()
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", follow_redirects=True)
    assert "Approved instantly" in response.get_data(as_text=True)
    session.expire_all()
    assert attempt.state == AttemptState.APPROVED
    assert advocate.balance == 50


def test_submitting_twice_says_already_submitted_and_changes_nothing(portal, session, advocate, now):
    attempt = started(session, advocate, now)
    session.commit()
    url = f"/portal/attempts/{attempt.id}/submit"
    portal.post(url, data={"link": "https://g2.com/first"})
    response = portal.post(url, data={"link": "https://g2.com/second"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Already submitted — nothing changed." in response.get_data(as_text=True)
    session.expire_all()
    assert attempt.evidence_link == "https://g2.com/first"
    assert len(attempt.transitions) == 2


def test_double_submit_of_an_auto_approved_attempt_awards_once(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.NONE, requires_approval=False, points=50)
    session.commit()
    for _ in range(3):
        portal.post(f"/portal/attempts/{attempt.id}/submit")
    assert session.query(LedgerEntry).filter_by(advocate_id=advocate.id).count() == 1


def test_full_loop_start_submit_approve_points_on_dashboard_and_history(portal, session, advocate, now):
    from tests.factories import make_activity, make_mission

    mission = make_mission(session, title="Review us on G2", activity=make_activity(session, points=150))
    staff = make_staff(session)
    session.commit()
    attempt_url = portal.post(f"/portal/missions/{mission.id}/start").headers["Location"]
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    portal.post(f"{attempt_url}/submit", data={"link": "https://g2.com/review/9"})
    missions.approve_attempt(session, staff=staff, attempt_id=attempt_id, now=now)
    session.commit()
    dashboard = portal.get("/portal/").get_data(as_text=True)
    assert '<span class="value">150</span><span class="label">Points to spend</span>' in dashboard
    assert "#1" in dashboard
    history = portal.get("/portal/points").get_data(as_text=True)
    assert "+150" in history and "Review us on G2" in history
    assert "+150 points" in portal.get(attempt_url).get_data(as_text=True)


def test_rejected_attempt_shows_reason_and_can_be_resubmitted(portal, session, advocate, now):
    attempt = started(session, advocate, now)
    staff = make_staff(session)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                            evidence=missions.EvidenceInput(link="https://g2.com/a"), now=now)
    missions.reject_attempt(session, staff=staff, attempt_id=attempt.id, reason="The link is private",
                            now=now)
    session.commit()
    html = portal.get(f"/portal/attempts/{attempt.id}").get_data(as_text=True)
    assert "The link is private" in html and "Send it again" in html
    portal.post(f"/portal/attempts/{attempt.id}/submit", data={"link": "https://g2.com/public"})
    session.expire_all()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.evidence_link == "https://g2.com/public"
    assert attempt.decision_reason is None


def test_decline_a_started_attempt(portal, session, advocate, now):
    attempt = started(session, advocate, now)
    session.commit()
    portal.post(f"/portal/attempts/{attempt.id}/decline", data={"reason": "Changed jobs", "confirmed": "yes"})
    assert _state(session, attempt) == AttemptState.DECLINED


def test_submit_after_deadline_is_refused_with_a_message(portal, session, advocate, now):
    from datetime import timedelta

    from app.services import clock

    attempt = started(session, advocate, now)
    session.commit()
    clock.freeze(now + timedelta(days=15))
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data={"link": "https://g2.com/late"})
    assert response.status_code == 409
    assert "The deadline for this mission has passed." in response.get_data(as_text=True)
    assert _state(session, attempt) == AttemptState.STARTED


def test_file_submission_stores_it_and_owner_can_download(portal, session, advocate, now, app):
    attempt = started(session, advocate, now, evidence=Evidence.FILE)
    session.commit()
    portal.post(f"/portal/attempts/{attempt.id}/submit", data={"file": (BytesIO(PDF), "case study.pdf")},
                content_type="multipart/form-data")
    session.expire_all()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.evidence_filename == "case study.pdf"
    assert attempt.evidence_mimetype == "application/pdf"
    response = portal.get(f"/portal/attempts/{attempt.id}/evidence")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_starting_and_submitting_each_take_one_transaction(app, portal, session, advocate, now):
    """Nothing is read again after the commit (it would open a second transaction to reload)."""
    mission_id = make_mission(session, activity=make_activity(session, evidence=Evidence.TEXT)).id
    session.commit()
    with watched(db.engine) as seen:
        response = fresh(app, lambda: portal.post(f"/portal/missions/{mission_id}/start"))
    assert response.status_code == 302 and seen.transactions == 1
    attempt_path = response.location
    with watched(db.engine) as seen:
        response = fresh(app, lambda: portal.post(f"{attempt_path}/submit", data={"text": "Done"}))
    assert response.status_code == 302 and response.location.endswith(attempt_path)
    assert seen.transactions == 1
    page = fresh(app, lambda: portal.get(attempt_path)).get_data(as_text=True)
    assert "Your submission is waiting for review" in page


def test_the_file_form_states_the_programs_upload_limit(portal, session, advocate, now):
    settings.save(session, changes={"evidence_max_mb": 3}, actor_id=None, now=now)
    attempt = started(session, advocate, now, evidence=Evidence.FILE)
    session.commit()
    html = portal.get(f"/portal/attempts/{attempt.id}").get_data(as_text=True)
    assert "A file: PDF, image, TXT or DOCX, up to 3 MB" in html and "up to 3 MB.</small>" in html
    assert f'data-max-bytes="{3 * 1024 * 1024}"' in html
