"""References (SPEC §10): every staff member files requests and reads the chain; marketing and admins
send the asks and record the call."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.references import CompleteForm, RequestForm, SendForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.models import ReferenceRequestState
from app.services import clock, references


def answer_links() -> references.AnswerLinks:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return references.AnswerLinks(secret=current_app.config["SECRET_KEY"], base_url=base)


@bp.get("/references")
def references_list():
    try:
        state = ReferenceRequestState(request.args.get("state", ""))
    except ValueError:
        state = None
    return render_template("admin/references.html", rows=references.requests_list(db.session, state=state),
                           state=state, states=list(ReferenceRequestState))


@bp.route("/references/new", methods=["GET", "POST"])
def reference_new():
    form = RequestForm()
    if form.validate_on_submit():
        fields = references.RequestFields(**{name: form[name].data for name in (
            "prospect_company", "industry", "size_band", "region", "use_cases", "needed_by",
            "crm_opportunity_id", "opportunity_amount", "note")})
        done, filed = commit_or_attach(form, lambda: references.file_request(
            db.session, fields=fields, staff=current_user, source="staff", now=clock.utcnow()))
        if done:
            flash("Request filed. Its matches are below.", "success")
            return redirect(url_for("admin.reference_detail", request_id=filed.id))
    return render_template("admin/reference_form.html", form=form), 422 if form.errors else 200


def _detail(request_id: int, complete_form=None, status: int = 200):
    found = references.request_detail(db.session, request_id)
    if found is None:
        abort(404)
    matches = references.find_matches(db.session, request=found, now=clock.utcnow()) \
        if found.state == ReferenceRequestState.OPEN else []
    return render_template("admin/reference.html", req=found, matches=matches, send_form=SendForm(),
                           complete_form=complete_form or CompleteForm(),
                           points=references.points_for(db.session)), status


@bp.get("/references/<int:request_id>")
def reference_detail(request_id: int):
    return _detail(request_id)


@bp.post("/references/<int:request_id>/ask")
@curators
def reference_send(request_id: int):
    form = SendForm()
    if form.validate_on_submit():
        chosen = int(form.advocate_id.data) if (form.advocate_id.data or "").isdigit() else None
        done, ask = commit_or_attach(form, lambda: references.send_ask(
            db.session, request_id=request_id, advocate_id=chosen, sent_by=current_user.name,
            now=clock.utcnow(), links=answer_links()))
        if done:
            flash(f"Asked {ask.advocate.name}; they have until {ask.due_at:%d %b %Y} to answer.", "success")
    return redirect(url_for("admin.reference_detail", request_id=request_id))


@bp.post("/references/<int:request_id>/asks/<int:ask_id>/complete")
@curators
def reference_complete(request_id: int, ask_id: int):
    form = CompleteForm()
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: references.complete(
            db.session, ask_id=ask_id, staff=current_user, rating=form.rating.data, text=form.text.data,
            now=clock.utcnow()))
        if done:
            flash("Call recorded; the advocate got their points.", "success")
            return redirect(url_for("admin.reference_detail", request_id=request_id))
    return _detail(request_id, complete_form=form, status=422)
