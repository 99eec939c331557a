"""The approval queue: approving awards once, rejecting needs a reason, evidence is shown safely."""

from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, AttemptState, LedgerEntry
from tests.factories import make_activity, make_advocate, make_mission, make_submitted_attempt
from tests.statements import fresh, watched


def ledger_count(session):
    return session.scalar(select(func.count(LedgerEntry.id)))


def test_the_queue_lists_submissions_oldest_first_with_escaped_evidence(as_role, client, session):
    as_role("marketing")
    text_activity = make_activity(session, evidence="text")
    older = make_submitted_attempt(session, mission=make_mission(session, title="First in",
                                                                 activity=text_activity),
                                   text="<script>alert(1)</script>")
    older.submitted_at = older.submitted_at.replace(hour=1)
    newer = make_submitted_attempt(session, mission=make_mission(session, title="Second in",
                                                                 activity=text_activity), text="plain")
    newer.submitted_at = older.submitted_at.replace(hour=0)
    session.commit()
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert page.index("Second in") < page.index("First in")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_link_evidence_is_rendered_without_passing_trust(as_role, client, session):
    as_role("marketing")
    make_submitted_attempt(session, link="https://reviews.example.com/r/9")
    session.commit()
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert 'href="https://reviews.example.com/r/9" rel="nofollow ugc noopener noreferrer"' in page


def test_approving_twice_awards_once_and_explains_the_second_time(as_role, client, session):
    as_role("marketing")
    attempt = make_submitted_attempt(session, mission=make_mission(session, activity=make_activity(session,
                                                                                                     points=400)))
    session.commit()
    first = client.post(f"/admin/approvals/{attempt.id}/approve", data={f"approve{attempt.id}-note": "Great"})
    assert first.status_code == 302
    second = client.post(f"/admin/approvals/{attempt.id}/approve", follow_redirects=True)
    assert "Someone already decided this submission" in second.get_data(as_text=True)
    assert ledger_count(session) == 1
    session.refresh(attempt)
    assert attempt.state == AttemptState.APPROVED and attempt.advocate.balance == 400
    assert attempt.transitions[-1].reason == "Great"


def test_rejecting_needs_a_reason_shown_next_to_the_field(as_role, client, session):
    as_role("marketing")
    attempt = make_submitted_attempt(session)
    session.commit()
    response = client.post(f"/admin/approvals/{attempt.id}/reject", data={f"reject{attempt.id}-reason": "  "})
    assert f'id="reject{attempt.id}-reason-error"' in response.get_data(as_text=True)
    session.refresh(attempt)
    assert attempt.state == AttemptState.SUBMITTED


def test_rejecting_with_a_reason_records_it(as_role, client, session):
    staff = as_role("marketing")
    attempt = make_submitted_attempt(session)
    session.commit()
    client.post(f"/admin/approvals/{attempt.id}/reject",
                data={f"reject{attempt.id}-reason": "The link does not open."})
    session.refresh(attempt)
    assert attempt.state == AttemptState.REJECTED
    assert attempt.decision_reason == "The link does not open." and attempt.decided_by_id == staff.id
    assert ledger_count(session) == 0


def test_rejecting_an_approved_submission_is_a_friendly_message(as_role, client, session):
    as_role("marketing")
    attempt = make_submitted_attempt(session)
    session.commit()
    client.post(f"/admin/approvals/{attempt.id}/approve")
    response = client.post(f"/admin/approvals/{attempt.id}/reject",
                           data={f"reject{attempt.id}-reason": "Too late"}, follow_redirects=True)
    assert "Someone already decided this submission" in response.get_data(as_text=True)
    assert session.get(Attempt, attempt.id).state == AttemptState.APPROVED


def _file_attempt(session, app, name="abc123def456.pdf"):
    upload = Path(app.config["UPLOAD_FOLDER"])
    upload.mkdir(parents=True, exist_ok=True)
    (upload / "abc123def456.pdf").write_bytes(b"%PDF-1.4 evidence")
    activity = make_activity(session, evidence="file")
    return make_submitted_attempt(session, mission=make_mission(session, activity=activity),
                                  file_token=name, filename="my proof.pdf", mimetype="application/pdf")


def test_file_evidence_downloads_as_an_attachment(as_role, client, session, app):
    as_role("marketing")
    attempt = _file_attempt(session, app)
    session.commit()
    assert f"/admin/attempts/{attempt.id}/evidence" in client.get("/admin/approvals").get_data(as_text=True)
    response = client.get(f"/admin/attempts/{attempt.id}/evidence")
    body, disposition = response.data, response.headers["Content-Disposition"]
    response.close()
    assert response.status_code == 200 and body == b"%PDF-1.4 evidence"
    assert disposition.startswith("attachment") and "proof.pdf" in disposition


def test_a_stored_name_that_looks_like_a_path_is_never_served(as_role, client, session, app):
    as_role("marketing")
    attempt = _file_attempt(session, app, name="../../etc/passwd")
    session.commit()
    assert client.get(f"/admin/attempts/{attempt.id}/evidence").status_code == 404


def test_a_csm_cannot_download_evidence_of_someone_elses_advocate(as_role, client, session, app):
    as_role("csm")
    attempt = _file_attempt(session, app)
    session.commit()
    assert client.get(f"/admin/attempts/{attempt.id}/evidence").status_code == 404


def test_a_csm_may_download_evidence_of_their_own_advocate(as_role, client, session, app):
    csm = as_role("csm")
    attempt = _file_attempt(session, app)
    attempt.advocate.owner_id = csm.id
    session.commit()
    response = client.get(f"/admin/attempts/{attempt.id}/evidence")
    response.close()
    assert response.status_code == 200


def test_waiting_time_is_shown(as_role, client, session):
    as_role("admin")
    make_submitted_attempt(session, advocate=make_advocate(session, name="Dana Waits"))
    session.commit()
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert "Dana Waits" in page and "waiting 0 h 0 min" in page


def queue_page_statements(app, client, session) -> int:
    session.commit()
    with watched(db.engine) as seen:
        page = fresh(app, lambda: client.get("/admin/approvals"))
    assert page.status_code == 200
    return len(seen.statements)


def test_the_queue_page_asks_as_often_for_one_submission_as_for_many(app, as_role, client, session):
    as_role("marketing")
    make_submitted_attempt(session)
    one = queue_page_statements(app, client, session)
    for _ in range(4):  # other advocates, missions and activities
        make_submitted_attempt(session, mission=make_mission(session, activity=make_activity(session)))
    assert queue_page_statements(app, client, session) == one


def test_approving_and_rejecting_read_nothing_again_after_the_commit(app, as_role, client, session):
    as_role("marketing")
    approved, rejected = make_submitted_attempt(session), make_submitted_attempt(session)
    (a, a_name), (r, r_name) = [(attempt.id, attempt.advocate.name) for attempt in (approved, rejected)]
    session.commit()  # the test's session holds no transaction while the requests run
    with watched(db.engine) as seen:
        assert fresh(app, lambda: client.post(f"/admin/approvals/{a}/approve")).status_code == 302
    assert seen.transactions == 1
    with watched(db.engine) as seen:
        response = fresh(app, lambda: client.post(f"/admin/approvals/{r}/reject",
                                                  data={f"reject{r}-reason": "Link is broken"}))
    assert response.status_code == 302 and seen.transactions == 1
    page = fresh(app, lambda: client.get("/admin/approvals")).get_data(as_text=True)
    assert f"Approved: {a_name} gets" in page and f"Rejected: {r_name} will see" in page
