"""The approval queue: filtered keyset pages of compact rows, approve or reject one or many, evidence
downloads and image previews.

Every decision is a plain POST that redirects back to the same filters and page (no JavaScript
needed); app/static/js/queue.js sends the same forms with `Accept: application/json` and marks the row
decided in place (`decided_answer`)."""

from urllib.parse import parse_qsl, urlencode

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.approvals import BulkDecisionForm, QueueFilterForm, QuickRejectForm
from app.admin.forms.people import ApproveForm
from app.extensions import db
from app.forms_support import attach_error
from app.services import clock, missions
from app.services.errors import Conflict, DomainError, NotFound
from app.services.people import directory

ALREADY_DECIDED = "Someone already decided this submission (or it changed); the queue below is current."
QUERY_KEYS = ("activity", "age", "advocate", "company", "sort", "after")


@bp.get("/approvals")
@curators
def approvals_list():
    return queue_page(request.args)


def back_query(source=None) -> dict[str, str]:
    """The queue's filters and page from `source` (the posted `back`), known keys only."""
    text = (source if source is not None else request.form.get("back", ""))[:1000]
    return {k: v for k, v in parse_qsl(text) if k in QUERY_KEYS and v}


def back_to_queue():
    return redirect(url_for("admin.approvals_list", **back_query()))


def wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def queue_page(args, *, failed_id=None, failed_form=None, bulk=None, status=200):
    form = QueueFilterForm(args)
    form.activity.choices = [SelectChoice("", "All activities"),
                             *(SelectChoice(a.id, a.name) for a in missions.activities(db.session))]
    filters = missions.QueueFilters(
        activity_id=form.activity.data,
        age=form.age.data or "", advocate=(form.advocate.data or "").strip()[:100],
        company=(form.company.data or "").strip()[:120], sort=form.sort.data or "oldest")
    page = missions.queue_page(db.session, filters=filters, now=clock.utcnow(), cursor=form.after.data)
    query = {k: v for k, v in args.items() if k in QUERY_KEYS and v}
    return render_template("admin/approvals.html", rows=page.rows, page=page, failed_id=failed_id,
                           failed_form=failed_form, form=form, query=query,
                           back=urlencode(query), bulk=bulk or BulkDecisionForm(), now=clock.utcnow(),
                           first_query={k: v for k, v in query.items() if k != "after"}), status


def decided_answer(decided: dict[int, int | None], message: str, category: str = "success"):
    """The answer to a decision: JSON for the queue's script, else a message and the same page again."""
    if wants_json():
        return jsonify(message=message, decided={
            str(i): ("Rejected" if p is None else f"Approved · +{p:,} points") for i, p in decided.items()})
    flash(message, category)
    return back_to_queue()


def refused_answer(error: DomainError, status: int = 409):
    message = ALREADY_DECIDED if error.code == "invalid_transition" else error.message
    if wants_json():
        return jsonify(error={"code": error.code, "message": message, "field": error.field}), status
    flash(message, "error")
    return back_to_queue()


@bp.post("/approvals/<int:attempt_id>/approve")
@curators
def approval_approve(attempt_id: int):
    form = ApproveForm(prefix=f"approve{attempt_id}")
    if not form.validate_on_submit():
        return refused_answer(DomainError("The note is too long, or the form expired; try again."), 400)
    try:
        attempt = missions.approve_attempt(db.session, staff=current_user, attempt_id=attempt_id,
                                           now=clock.utcnow(), note=(form.note.data or "").strip() or None)
    except (Conflict, NotFound) as error:
        db.session.rollback()
        return refused_answer(error)
    done = f"Approved: {attempt.advocate.name} gets {attempt.points_awarded:,} points."
    points = attempt.points_awarded
    db.session.commit()  # after reading what the message says: no reload once it expires them
    return decided_answer({attempt_id: points}, done)


@bp.post("/approvals/<int:attempt_id>/reject")
@curators
def approval_reject(attempt_id: int):
    form = QuickRejectForm(prefix=f"reject{attempt_id}")
    if form.validate_on_submit():
        try:
            attempt = missions.reject_attempt(db.session, staff=current_user, attempt_id=attempt_id,
                                              reason=form.reason.data, now=clock.utcnow())
        except (Conflict, NotFound) as error:
            db.session.rollback()
            return refused_answer(error)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            done = f"Rejected: {attempt.advocate.name} will see your reason."
            db.session.commit()
            return decided_answer({attempt_id: None}, done)
    if wants_json():
        return jsonify(error={"code": "validation_failed", "field": "reason",
                              "message": " ".join(form.reason.errors) or "Try again."}), 422
    return queue_page(MultiDict(back_query()), failed_id=attempt_id, failed_form=form, status=422)


@bp.get("/attempts/<int:attempt_id>/evidence")
def evidence_download(attempt_id: int):
    attempt = directory.get_attempt(db.session, viewer=current_user, attempt_id=attempt_id)
    name = directory.evidence_file_name(attempt)
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], name, as_attachment=True,
                               download_name=attempt.evidence_filename or name,
                               mimetype="application/octet-stream", max_age=0)


@bp.get("/attempts/<int:attempt_id>/evidence/preview")
def evidence_preview(attempt_id: int):
    """An image evidence file shown inline (the queue's thumbnail), under the download's access checks;
    only the image types the upload check verified by their first bytes, never anything else inline."""
    attempt = directory.get_attempt(db.session, viewer=current_user, attempt_id=attempt_id)
    name = directory.evidence_file_name(attempt)
    if attempt.evidence_mimetype not in missions.IMAGE_TYPES:
        raise NotFound("This evidence is not an image.")
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], name,
                                   mimetype=attempt.evidence_mimetype, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
