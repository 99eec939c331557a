"""Referrals: the list with its funnel, one referral with its history, and the moves
(qualify, convert, lost) for marketing and admins. CSMs see their own advocates' referrals only."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.referrals import ConvertForm, MoveForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import commit_or_attach
from app.models import ReferralState
from app.services import clock
from app.services.referrals import pipeline as referral_pipeline
from app.services.referrals import reports as referral_reports

DONE = {ReferralState.QUALIFIED: "Qualified: the referrer gets {points:,} points.",
        ReferralState.CONVERTED: "Converted: the referrer gets {points:,} points.",
        ReferralState.LOST: "Marked as lost."}


@bp.get("/referrals")
def referrals_list():
    try:
        state = ReferralState(request.args.get("state", ""))
    except ValueError:
        state = None
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/referrals.html", state=state, states=list(ReferralState),
        page=referral_reports.staff_list(db.session, viewer=current_user, state=state, page=page),
        funnel=referral_reports.funnel(db.session, viewer=current_user))


def _detail(referral_id: int, convert_form=None, failed: str | None = None, failed_form=None):
    referral = referral_reports.get_for_staff(db.session, viewer=current_user, referral_id=referral_id)
    forms = {"qualify": MoveForm(prefix="qualify"), "lost": MoveForm(prefix="lost"),
             "convert": convert_form or ConvertForm(prefix="convert")}
    if failed:
        forms[failed] = failed_form
    return render_template("admin/referral.html", referral=referral, forms=forms,
                           allowed=referral_pipeline.TRANSITIONS[referral.state])


@bp.get("/referrals/<int:referral_id>")
def referral_detail(referral_id: int):
    return _detail(referral_id)


MOVES = {"qualify": (ReferralState.QUALIFIED, MoveForm), "convert": (ReferralState.CONVERTED, ConvertForm),
         "lost": (ReferralState.LOST, MoveForm)}


@bp.post("/referrals/<int:referral_id>/<action>")
@curators
def referral_move(referral_id: int, action: str):
    referral = referral_reports.get_for_staff(db.session, viewer=current_user, referral_id=referral_id)
    if action not in MOVES:
        abort(404)
    to, form_class = MOVES[action]
    form = form_class(prefix=action)
    if form.validate_on_submit():
        if to == ReferralState.LOST and (asked := ask_first(
                "lose_referral", cancel_url=url_for("admin.referral_detail", referral_id=referral_id),
                friend=referral.friend_name)):
            return asked
        amount = getattr(form, "deal_amount", None)
        done, _ = commit_or_attach(form, lambda: referral_pipeline.move_referral(
            db.session, referral_id=referral_id, to=to, staff=current_user, now=clock.utcnow(),
            note=form.note.data, deal_amount=amount.data if amount else None))
        if done:
            points = referral_pipeline.points_for(db.session, to)
            flash(DONE[to].format(points=points), "success")
            return redirect(url_for("admin.referral_detail", referral_id=referral_id))
    return _detail(referral_id, failed=action, failed_form=form), 422
