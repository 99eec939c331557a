"""Asks: push a mission to advocates through the governor, see each push's outcome, and the queue.

Marketing and admin push and drop; every staff role may read the queue (a CSM sees their own book).
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.asks import PRIORITY_LABELS, PushForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import Ask, AskReason, AskState, StaffRole, Status
from app.services import asks, clock
from app.services.missions import catalog
from app.services.people import directory

PER_PAGE = 50


@bp.context_processor
def _ask_helpers():
    return {"reason_labels": asks.REASON_LABELS, "priority_labels": PRIORITY_LABELS, "AskState": AskState,
            "AskReason": AskReason, "mission_pushable": _pushable}


def _pushable(mission) -> bool:
    """Open now and not archived: the only missions the push button is offered for."""
    now = clock.utcnow()
    return not mission.archived and mission.opens_at <= now < mission.closes_at


def _push_form() -> PushForm:
    form = PushForm()
    options = asks.segment_options(db.session)
    for key in ("regions", "industries", "tags"):
        getattr(form, key).choices = [SelectChoice(v, v) for v in options.get(key, [])]
    form.owner_id.choices = [SelectChoice(0, "Any CSM"),
                             *(SelectChoice(s.id, s.name) for s in directory.csm_choices(db.session))]
    return form


def _csm_names() -> dict[int, str]:
    return {s.id: s.name for s in directory.csm_choices(db.session)}


def _filters(form: PushForm) -> asks.SegmentFilters:
    return asks.SegmentFilters(
        statuses=tuple(Status(v) for v in form.statuses.data or ()),
        regions=tuple(form.regions.data or ()), industries=tuple(form.industries.data or ()),
        tags=tuple(form.tags.data or ()), owner_id=form.owner_id.data or None)


@bp.route("/missions/<int:mission_id>/push", methods=["GET", "POST"])
@curators
def mission_push(mission_id: int):
    mission = catalog.get_mission(db.session, mission_id)
    form, preview = _push_form(), None
    if form.validate_on_submit():
        if form.preview.data:
            preview = asks.preview_count(db.session, mission_id=mission.id, filters=_filters(form))
        else:
            done, push = commit_or_attach(form, lambda: asks.push_mission(
                db.session, staff=current_user, mission_id=mission.id, filters=_filters(form),
                priority=form.priority.data, now=clock.utcnow()))
            if done:
                flash(f"“{mission.title}” pushed.", "success")
                return redirect(url_for("admin.mission_push_result", push_id=push.id))
    return render_template("admin/push.html", form=form, mission=mission, preview=preview, now=clock.utcnow(),
                           history=asks.pushes_for_mission(db.session, mission_id=mission.id),
                           csm_names=_csm_names())


@bp.get("/pushes/<int:push_id>")
@curators
def mission_push_result(push_id: int):
    raw, page = request.args.get("state", ""), max(1, request.args.get("page", 1, type=int))
    state = AskState(raw) if raw in {s.value for s in AskState} else None
    summary = asks.push_summary(db.session, push_id=push_id, state=state, page=page, per_page=PER_PAGE)
    total = summary.counts.get(state, 0) if state else sum(summary.counts.values())
    return render_template("admin/push_result.html", summary=summary, push=summary.push, state=state,
                           page=page, has_next=page * PER_PAGE < total, csm_names=_csm_names())


@bp.get("/asks/queue")
def asks_queue():
    page = max(1, request.args.get("page", 1, type=int))
    owner_id = current_user.id if current_user.role == StaffRole.CSM else None
    queued, has_next = asks.queue_page(db.session, page=page, owner_id=owner_id)
    return render_template("admin/ask_queue.html", asks=queued, page=page, has_next=has_next,
                           confirm=ButtonForm())


@bp.post("/asks/<int:ask_id>/drop")
@curators
def ask_drop(ask_id: int):
    ask = db.get_or_404(Ask, ask_id)
    back = url_for("admin.asks_queue", page=request.form.get("page", 1, type=int))
    asked = ask_first("drop_ask", cancel_url=back, advocate=ask.advocate.name,
                      mission=ask.mission.title if ask.mission else "—")
    if asked:
        return asked
    if ButtonForm().validate_on_submit():
        ask = asks.drop_ask(db.session, staff=current_user, ask_id=ask_id, now=clock.utcnow())
        db.session.commit()
        flash(f"Dropped the queued ask to {ask.advocate.name} for “{ask.mission.title}”.", "success")
    return redirect(url_for("admin.asks_queue", page=request.form.get("page", 1, type=int)))
