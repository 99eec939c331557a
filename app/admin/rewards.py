"""Rewards catalog and the fulfilment queue (marketing and admin)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.pictures import PictureForm
from app.admin.forms.rewards import RejectRedemptionForm, RewardForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import Redemption, RedemptionState
from app.services import clock
from app.services import rewards as rewards_service

S = RedemptionState
TABS = {"open": rewards_service.OPEN, "requested": (S.REQUESTED,), "approved": (S.APPROVED,),
        "fulfilled": (S.FULFILLED,), "closed": (S.REJECTED, S.CANCELLED)}
PER_PAGE = 50


@bp.get("/rewards")
@curators
def rewards_list():
    return render_template("admin/rewards.html", rewards=rewards_service.catalog(db.session),
                           redeemed=rewards_service.redeemed_counts(db.session))


def _values(form: RewardForm) -> rewards_service.RewardValues:
    return rewards_service.RewardValues(**{name: getattr(form, name).data
                                           for name in rewards_service.RewardValues.__dataclass_fields__})


@bp.route("/rewards/new", methods=["GET", "POST"])
@curators
def reward_new():
    form = RewardForm()
    if form.validate_on_submit():
        done, reward = commit_or_attach(form, lambda: rewards_service.save_reward(
            db.session, values=_values(form), now=clock.utcnow()))
        if done:
            flash(f"Reward “{reward.name}” added.", "success")
            return redirect(url_for("admin.rewards_list"))
    return render_template("admin/reward_form.html", form=form, reward=None)


@bp.route("/rewards/<int:reward_id>", methods=["GET", "POST"])
@curators
def reward_edit(reward_id: int):
    reward = rewards_service.get_reward(db.session, reward_id)
    form = RewardForm(obj=reward)
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: rewards_service.save_reward(
            db.session, values=_values(form), now=clock.utcnow(), reward_id=reward_id))
        if done:
            flash("Reward saved.", "success")
            return redirect(url_for("admin.rewards_list"))
    return edit_page(reward, form=form)


def edit_page(reward, *, form: RewardForm | None = None, picture_form: PictureForm | None = None,
              status: int = 200):
    """The reward's edit page: its form, and its picture's (with a refused upload's error)."""
    return render_template("admin/reward_form.html", form=form or RewardForm(formdata=None, obj=reward),
                           reward=reward, picture_form=picture_form or PictureForm(formdata=None),
                           remove_form=ButtonForm(formdata=None)), status


@bp.get("/redemptions")
@curators
def redemptions_queue():
    tab = request.args.get("state", "open")
    tab = tab if tab in TABS else "open"
    page = max(1, request.args.get("page", 1, type=int))
    rows, has_next = rewards_service.queue(db.session, states=TABS[tab], page=page, per_page=PER_PAGE)
    return render_template("admin/redemptions.html", rows=rows, tab=tab, page=page, has_next=has_next,
                           counts=rewards_service.state_counts(db.session), confirm=ButtonForm(),
                           RedemptionState=RedemptionState,
                           reject_form=RejectRedemptionForm(formdata=None))


def _back():
    return redirect(url_for("admin.redemptions_queue", state=request.form.get("tab", "open")))


def _ask_first(kind: str, redemption_id: int):
    r = db.get_or_404(Redemption, redemption_id)
    back = url_for("admin.redemptions_queue", state=request.form.get("tab", "open"))
    return ask_first(kind, cancel_url=back, reward=r.reward.name, advocate=r.advocate.name,
                     points=f"{r.points:,}")


@bp.post("/redemptions/<int:redemption_id>/approve")
@curators
def redemption_approve(redemption_id: int):
    form = ButtonForm()
    if form.validate_on_submit():
        done, r = commit_or_attach(form, lambda: rewards_service.approve(
            db.session, staff=current_user, redemption_id=redemption_id, now=clock.utcnow()))
        if done:
            flash(f"Approved {r.reward.name} for {r.advocate.name}.", "success")
    return _back()


@bp.post("/redemptions/<int:redemption_id>/fulfil")
@curators
def redemption_fulfil(redemption_id: int):
    form = ButtonForm()
    if form.validate_on_submit():
        if asked := _ask_first("fulfil_redemption", redemption_id):
            return asked
        done, r = commit_or_attach(form, lambda: rewards_service.fulfil(
            db.session, staff=current_user, redemption_id=redemption_id, now=clock.utcnow()))
        if done:
            flash(f"Marked {r.reward.name} for {r.advocate.name} as sent.", "success")
    return _back()


@bp.post("/redemptions/<int:redemption_id>/reject")
@curators
def redemption_reject(redemption_id: int):
    form = RejectRedemptionForm()
    if form.validate_on_submit():
        if asked := _ask_first("reject_redemption", redemption_id):
            return asked
        done, r = commit_or_attach(form, lambda: rewards_service.reject(
            db.session, staff=current_user, redemption_id=redemption_id, reason=form.reason.data,
            now=clock.utcnow()))
        if done:
            flash(f"Rejected; {r.points:,} points refunded to {r.advocate.name}.", "success")
            return _back()
    for error in form.reason.errors:
        flash(f"Not rejected: {error}", "error")
    return _back()
