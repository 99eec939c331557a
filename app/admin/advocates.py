"""Advocates: search the book, one advocate's record (with why they score what they do), manual points
adjustments, status changes and rescoring one record now."""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import advocate_lifecycle, bp
from app.admin.forms.people import AdjustForm, AdvocateSearchForm, StatusForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.models import StaffRole
from app.security import role_required
from app.services import asks, clock
from app.services.customers import explanation, readiness
from app.services.people import directory
from app.services.points import ledger
from app.services.points import status as status_service
from app.services.triggers import listing as trigger_listing


@bp.get("/advocates")
def advocates_list():
    form = AdvocateSearchForm(request.args)
    form.validate()
    page = directory.search_advocates(
        db.session, viewer=current_user, query=form.q.data or "",
        status=None if form.status.errors else form.status.data,
        state=None if form.state.errors else form.state.data,
        page=form.page.data if form.page.data and not form.page.errors else 1)
    filters = {k: v for k, v in request.args.items() if k in ("q", "status", "state") and v}
    return render_template("admin/advocates.html", form=form, page=page, filters=filters)


def _detail(advocate_id: int, adjust_form=None, status_form=None, state_form=None, owner_form=None):
    record = directory.advocate_record(db.session, viewer=current_user, advocate_id=advocate_id)
    adjust_form = adjust_form or AdjustForm(formdata=None, request_key=uuid.uuid4().hex)
    status_form = status_form or StatusForm(formdata=None, current=record.advocate.status)
    now = clock.utcnow()
    askability = asks.decide(db.session, advocate=record.advocate, activity=None, now=now)
    return render_template("admin/advocate.html", record=record, advocate=record.advocate,
                           adjust_form=adjust_form, status_form=status_form, askability=askability,
                           recent_asks=asks.advocate_asks(db.session, advocate_id=record.advocate.id),
                           recent_events=trigger_listing.recent_events(
                               db.session, advocate_id=record.advocate.id, per_page=10)[0],
                           why=explanation.explain(db.session, advocate_id=record.advocate.id, now=now),
                           lifecycle=advocate_lifecycle.panel(record.advocate, state_form, owner_form))


@bp.get("/advocates/<int:advocate_id>")
def advocate_detail(advocate_id: int):
    return _detail(advocate_id)


@bp.post("/advocates/<int:advocate_id>/adjust")
@role_required(StaffRole.MARKETING)
def advocate_adjust(advocate_id: int):
    directory.get_advocate(db.session, viewer=current_user, advocate_id=advocate_id)
    form = AdjustForm()
    if form.validate_on_submit():
        done, result = commit_or_attach(form, lambda: ledger.adjust(
            db.session, advocate_id=advocate_id, amount=form.amount.data, note=form.note.data,
            actor_id=current_user.id, request_key=form.request_key.data, now=clock.utcnow()))
        if done:
            if result.created:
                flash(f"Adjustment of {result.entry.amount:+,} points recorded.", "success")
            else:
                flash("That adjustment was already recorded; it was not posted twice.", "info")
            return redirect(url_for("admin.advocate_detail", advocate_id=advocate_id))
    return _detail(advocate_id, adjust_form=form)


@bp.post("/advocates/<int:advocate_id>/status")
@role_required()
def advocate_set_status(advocate_id: int):
    advocate = directory.get_advocate(db.session, viewer=current_user, advocate_id=advocate_id)
    form = StatusForm(current=advocate.status)
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: status_service.set_status(
            db.session, advocate=advocate, to=form.status.data, reason=form.reason.data,
            actor_id=current_user.id, now=clock.utcnow()))
        if done:
            flash(f"Status set to {form.status.data.label}.", "success")
            return redirect(url_for("admin.advocate_detail", advocate_id=advocate_id))
    return _detail(advocate_id, status_form=form)


@bp.post("/advocates/<int:advocate_id>/rescore")
@role_required(StaffRole.MARKETING)
def advocate_rescore(advocate_id: int):
    directory.get_advocate(db.session, viewer=current_user, advocate_id=advocate_id)
    result = readiness.rescore_advocate(db.session, advocate_id=advocate_id, actor=f"staff:{current_user.id}",
                                        now=clock.utcnow())
    db.session.commit()
    flash(rescore_message(result), "success")
    return redirect(url_for("admin.advocate_detail", advocate_id=advocate_id))


def _change(before, after) -> str:
    return str(after) if before == after else f"{before} → {after}"


def rescore_message(result: readiness.Rescored) -> str:
    """'Rescored: score 62 → 71, not eligible → eligible, no tier → Tier 2; 3 other records changed tier.'"""
    stored = [(r.score if r.score is not None else "—", "eligible" if r.eligible else "not eligible",
               f"Tier {r.tier}" if r.tier else "no tier") for r in (result.before, result.after)]
    others = result.tiers_changed - (result.before.tier != result.after.tier)
    text = f"Rescored: score {', '.join(_change(b, a) for b, a in zip(*stored, strict=True))}"
    if others:
        return f"{text}; {others} other record{'' if others == 1 else 's'} changed tier."
    return f"{text}{'' if stored[0] != stored[1] else ' (nothing changed)'}."
