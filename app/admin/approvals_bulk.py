"""Bulk decisions in the approval queue: approve or reject the selected rows with one reason, one
transaction; each submission through the single approve/reject service (services/missions/queue.py)."""

from flask import request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.admin import bp
from app.admin.approvals import back_query, decided_answer, queue_page, refused_answer, wants_json
from app.admin.catalog import curators
from app.admin.forms.approvals import BulkDecisionForm
from app.extensions import db
from app.services import clock, missions
from app.services.errors import DomainError, ValidationFailed


@bp.post("/approvals/bulk")
@curators
def approvals_bulk():
    form = BulkDecisionForm()
    approve = request.form.get("action") != "reject"
    if not form.validate_on_submit():
        return _invalid(form, ValidationFailed(" ".join(form.ids.errors or form.reason.errors)
                                               or "The form expired; try again.", field="ids"))
    try:
        result = missions.bulk_decide(db.session, staff=current_user, attempt_ids=form.ids.data,
                                      approve=approve, reason=form.reason.data, now=clock.utcnow())
    except DomainError as error:
        db.session.rollback()
        return _invalid(form, error)
    message = _summary(result, approve)
    db.session.commit()
    return decided_answer(result.decided, message, "success" if result.decided else "error")


def _summary(result: missions.BulkResult, approve: bool) -> str:
    done = len(result.decided)
    plural = "s" if done != 1 else ""
    text = (f"Approved {done:,} submission{plural} (+{result.points:,} points in all)." if approve
            else f"Rejected {done:,} submission{plural}; each advocate sees your reason.")
    if result.skipped:
        text += f" {len(result.skipped):,} skipped: someone already decided them or they changed."
    return text


def _invalid(form: BulkDecisionForm, error: DomainError):
    if wants_json():
        return refused_answer(error, 422)
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [error.message]
    return queue_page(MultiDict(back_query()), bulk=form, status=422)
