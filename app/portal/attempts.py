"""The advocate's own attempts: detail with history, evidence submission, decline, file download."""

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, attach_error
from app.models import ActivityKind, AttemptState, Evidence
from app.portal import bp
from app.portal.forms import (
    DeclineForm,
    FileEvidenceForm,
    LinkEvidenceForm,
    ReviewEvidenceForm,
    TextEvidenceForm,
)
from app.services import clock, missions
from app.services.errors import DomainError, NotFound
from app.services.missions import evidence
from app.services.program import settings as settings_service

EVIDENCE_FORMS = {
    Evidence.LINK: LinkEvidenceForm,
    Evidence.TEXT: TextEvidenceForm,
    Evidence.FILE: FileEvidenceForm,
    Evidence.NONE: ButtonForm,
}
ALREADY_SUBMITTED = (AttemptState.SUBMITTED, AttemptState.APPROVED)


def _evidence_form(attempt):
    """The evidence form of the attempt's activity; a review link also asks for stars and platform."""
    kind = attempt.activity.evidence
    if kind == Evidence.LINK and attempt.activity.kind == ActivityKind.REVIEW:
        return ReviewEvidenceForm()
    return EVIDENCE_FORMS[kind]()


def _own(attempt_id: int):
    try:
        return missions.get_own_attempt(db.session, advocate=current_user, attempt_id=attempt_id)
    except NotFound:
        abort(404)


def _render(attempt, form=None, status=200):
    now = clock.utcnow()
    can_submit = missions.can_submit(attempt, now)
    if form is None and can_submit:
        form = _evidence_form(attempt)
    return render_template(
        "portal/attempt.html", attempt=attempt, form=form, can_submit=can_submit, now=now,
        can_decline=attempt.state == AttemptState.STARTED, decline_form=DeclineForm(),
    ), status


@bp.get("/attempts/<int:attempt_id>")
def attempt_detail(attempt_id: int):
    return _render(_own(attempt_id))


def _evidence_input(attempt, form) -> missions.EvidenceInput:
    kind = attempt.activity.evidence
    if kind == Evidence.LINK and hasattr(form, "rating"):
        return missions.EvidenceInput(link=form.link.data, rating=form.rating.data,
                                      platform=form.platform.data)
    if kind == Evidence.LINK:
        return missions.EvidenceInput(link=form.link.data)
    if kind == Evidence.TEXT:
        return missions.EvidenceInput(text=form.text.data)
    if kind == Evidence.FILE:
        max_mb = settings_service.load(db.session).evidence_max_mb
        upload = form.file.data
        data = upload.stream.read(max_mb * 1024 * 1024 + 1)
        stored = evidence.store(current_app.config["UPLOAD_FOLDER"], data, upload.filename, max_mb=max_mb)
        return missions.EvidenceInput(file_token=stored.token, filename=stored.filename,
                                      mimetype=stored.mimetype)
    return missions.EvidenceInput()


def _already_submitted(attempt_id: int):
    flash("Already submitted — nothing changed. We will let you know once it is reviewed.", "info")
    return redirect(url_for("portal.attempt_detail", attempt_id=attempt_id))


@bp.post("/attempts/<int:attempt_id>/submit")
def submit_attempt(attempt_id: int):
    attempt = _own(attempt_id)
    if attempt.state in ALREADY_SUBMITTED:
        return _already_submitted(attempt_id)
    form = _evidence_form(attempt)
    if not form.validate_on_submit():
        return _render(attempt, form, 422)
    given = None
    try:
        given = _evidence_input(attempt, form)
        missions.submit_attempt(db.session, advocate=current_user, attempt_id=attempt_id, evidence=given,
                                now=clock.utcnow())
    except DomainError as error:
        db.session.rollback()
        evidence.discard(current_app.config["UPLOAD_FOLDER"], given and given.file_token)
        if _own(attempt_id).state in ALREADY_SUBMITTED:
            return _already_submitted(attempt_id)
        attach_error(form, error)
        return _render(_own(attempt_id), form, error.http_status)
    done = attempt.state == AttemptState.APPROVED  # before the commit expires it (no reload)
    db.session.commit()
    if done:  # a submitted attempt's page says so itself: one message, not a flash repeating it
        flash("Approved instantly — your points are in!", "success")
    return redirect(url_for("portal.attempt_detail", attempt_id=attempt_id))


@bp.post("/attempts/<int:attempt_id>/decline")
def decline_attempt(attempt_id: int):
    attempt = _own(attempt_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render(attempt, status=422)
    back = url_for("portal.attempt_detail", attempt_id=attempt_id)
    if asked := ask_first("decline_mission", cancel_url=back, title=attempt.mission.title):
        return asked
    try:
        missions.decline_mission(db.session, advocate=current_user, mission_id=attempt.mission_id,
                                 now=clock.utcnow(), reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("portal.attempt_detail", attempt_id=attempt_id))
    db.session.commit()
    flash("Mission declined. No problem — thanks for letting us know.", "info")
    return redirect(url_for("portal.attempt_detail", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/evidence")
def evidence_file(attempt_id: int):
    attempt = _own(attempt_id)
    try:
        path = evidence.path_for(current_app.config["UPLOAD_FOLDER"], attempt.evidence_file)
    except NotFound:
        abort(404)
    response = send_file(path, mimetype=attempt.evidence_mimetype or "application/octet-stream",
                         as_attachment=True, download_name=attempt.evidence_filename or "evidence",
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.errorhandler(413)
def upload_too_large(error):
    max_mb = settings_service.load(db.session).evidence_max_mb
    message = f"That upload is too large. Files can be up to {max_mb} MB — please choose a smaller one."
    return render_template("errors/error.html", status=413, message=message), 413
