"""File evidence errors, the upload size cap, and other advocates' attempts and files (always 404)."""

import os
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import AttemptState, Evidence
from app.services import missions
from tests.conftest import session_token
from tests.factories import make_advocate
from tests.portal.conftest import PDF, started


def _uploads(app):
    folder = app.config["UPLOAD_FOLDER"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.mark.parametrize(("upload", "message"), [
    ((BytesIO(b"MZ\x90\x00 binary"), "tool.exe"), "That file type is not accepted."),
    ((BytesIO(b"MZ\x90\x00 not a pdf"), "report.pdf"), "does not look like a real .pdf file"),
    ((BytesIO(b""), "empty.pdf"), "That file is empty."),
    ((BytesIO(PDF + b"x" * (5 * 1024 * 1024)), "huge.pdf"), "That file is too large: the limit is 5 MB."),
])
def test_bad_file_is_a_field_error_and_nothing_is_stored(portal, session, advocate, now, app, upload,
                                                         message):
    attempt = started(session, advocate, now, evidence=Evidence.FILE)
    session.commit()
    before = _uploads(app)
    # Encoded up front: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(MultiDict({"file": FileStorage(upload[0], upload[1])}))
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-error" class="field-error"' in html and message in html
    assert _uploads(app) == before
    session.expire_all()
    assert attempt.state == AttemptState.STARTED and attempt.evidence_file is None


def test_missing_file_is_a_field_error(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.FILE)
    session.commit()
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Attach a file." in response.get_data(as_text=True)


def test_a_refused_submission_leaves_no_file_behind(portal, session, advocate, now, app):
    from datetime import timedelta

    from app.services import clock

    attempt = started(session, advocate, now, evidence=Evidence.FILE)
    session.commit()
    clock.freeze(now + timedelta(days=20))
    response = portal.post(f"/portal/attempts/{attempt.id}/submit", data={"file": (BytesIO(PDF), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 409
    assert _uploads(app) == []


def test_request_over_the_hard_cap_shows_the_friendly_413_page(app_factory, now):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    with app.app_context():
        from app.extensions import db

        advocate = make_advocate(db.session)
        attempt = started(db.session, advocate, now, evidence=Evidence.FILE)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_token(advocate)
        response = client.post(f"/portal/attempts/{attempt.id}/submit",
                               data={"file": (BytesIO(PDF + b"x" * 4096), "big.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 413
        assert "Files can be up to 5 MB" in response.get_data(as_text=True)
        db.session.remove()


@pytest.fixture
def others_attempt(session, now):
    """Advocate A's submitted file attempt; the test client is signed in as advocate B."""
    owner = make_advocate(session, name="Owner")
    attempt = started(session, owner, now, evidence=Evidence.FILE)
    from pathlib import Path

    from flask import current_app

    from app.services.missions import evidence

    stored = evidence.store(Path(current_app.config["UPLOAD_FOLDER"]), PDF, "secret.pdf", max_mb=5)
    missions.submit_attempt(session, advocate=owner, attempt_id=attempt.id, now=now,
                            evidence=missions.EvidenceInput(file_token=stored.token, filename="secret.pdf",
                                                            mimetype="application/pdf"))
    return attempt


def test_another_advocates_attempt_and_file_are_404(portal, session, others_attempt):
    session.commit()
    assert portal.get(f"/portal/attempts/{others_attempt.id}").status_code == 404
    assert portal.get(f"/portal/attempts/{others_attempt.id}/evidence").status_code == 404


def test_acting_on_another_advocates_attempt_is_404_and_changes_nothing(portal, session, now):
    owner = make_advocate(session, name="Owner")
    attempt = started(session, owner, now)
    session.commit()
    submit = portal.post(f"/portal/attempts/{attempt.id}/submit", data={"link": "https://evil.example"})
    decline = portal.post(f"/portal/attempts/{attempt.id}/decline", data={"reason": "ha"})
    assert (submit.status_code, decline.status_code) == (404, 404)
    session.expire_all()
    assert attempt.state == AttemptState.STARTED and attempt.evidence_link is None


def test_unknown_attempt_and_attempt_without_file_are_404(portal, session, advocate, now):
    attempt = started(session, advocate, now)
    session.commit()
    assert portal.get("/portal/attempts/999999").status_code == 404
    assert portal.get(f"/portal/attempts/{attempt.id}/evidence").status_code == 404
