"""The approval queue: submissions oldest first, approve or reject, evidence downloads."""

from flask import current_app, flash, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.people import ApproveForm, RejectForm
from app.extensions import db
from app.forms_support import attach_error
from app.services import clock, missions
from app.services.errors import Conflict, DomainError
from app.services.people import directory

ALREADY_DECIDED = "Someone already decided this submission (or it changed); the queue below is current."


@bp.get("/approvals")
@curators
def approvals_list():
    return _queue_page()


def _queue_page(failed_id=None, failed_form=None):
    rows = []
    for attempt in missions.approval_queue(db.session):
        reject = failed_form if attempt.id == failed_id else RejectForm(prefix=f"reject{attempt.id}")
        rows.append((attempt, ApproveForm(prefix=f"approve{attempt.id}"), reject))
    return render_template("admin/approvals.html", rows=rows, now=clock.utcnow())


@bp.post("/approvals/<int:attempt_id>/approve")
@curators
def approval_approve(attempt_id: int):
    form = ApproveForm(prefix=f"approve{attempt_id}")
    if not form.validate_on_submit():
        flash("The note is too long.", "error")
        return redirect(url_for("admin.approvals_list"))
    try:
        attempt = missions.approve_attempt(db.session, staff=current_user, attempt_id=attempt_id,
                                           now=clock.utcnow(), note=(form.note.data or "").strip() or None)
    except Conflict as error:
        db.session.rollback()
        flash(ALREADY_DECIDED if error.code == "invalid_transition" else error.message, "error")
    else:
        done = f"Approved: {attempt.advocate.name} gets {attempt.points_awarded:,} points."
        db.session.commit()  # after reading what the message says: no reload once it expires them
        flash(done, "success")
    return redirect(url_for("admin.approvals_list"))


@bp.post("/approvals/<int:attempt_id>/reject")
@curators
def approval_reject(attempt_id: int):
    form = RejectForm(prefix=f"reject{attempt_id}")
    if form.validate_on_submit():
        try:
            attempt = missions.reject_attempt(db.session, staff=current_user, attempt_id=attempt_id,
                                              reason=form.reason.data, now=clock.utcnow())
        except Conflict as error:
            db.session.rollback()
            flash(ALREADY_DECIDED if error.code == "invalid_transition" else error.message, "error")
            return redirect(url_for("admin.approvals_list"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            done = f"Rejected: {attempt.advocate.name} will see your reason."
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("admin.approvals_list"))
    return _queue_page(failed_id=attempt_id, failed_form=form)


@bp.get("/attempts/<int:attempt_id>/evidence")
def evidence_download(attempt_id: int):
    attempt = directory.get_attempt(db.session, viewer=current_user, attempt_id=attempt_id)
    name = directory.evidence_file_name(attempt)
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], name, as_attachment=True,
                               download_name=attempt.evidence_filename or name,
                               mimetype="application/octet-stream", max_age=0)
