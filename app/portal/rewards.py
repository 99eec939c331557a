"""Rewards for the signed-in advocate: the catalog, one reward with the redeem form, and their own
redemptions (cancel while nobody has approved it yet)."""

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.portal import bp
from app.portal.forms import RedeemForm
from app.services import clock
from app.services import rewards as rewards_service
from app.services.errors import NotFound


@bp.get("/rewards")
def rewards_list():
    return render_template("portal/rewards.html",
                           offers=rewards_service.offers_for(db.session, advocate=current_user))


def _offer(reward_id: int) -> rewards_service.Offer:
    offer = next((o for o in rewards_service.offers_for(db.session, advocate=current_user)
                  if o.reward.id == reward_id), None)
    if offer is None:
        abort(404)
    return offer


@bp.route("/rewards/<int:reward_id>", methods=["GET", "POST"])
def reward_detail(reward_id: int):
    offer = _offer(reward_id)
    form = RedeemForm()
    if form.validate_on_submit():
        done, redemption = commit_or_attach(form, lambda: rewards_service.redeem(
            db.session, advocate=current_user, reward_id=reward_id, request_key=form.request_key.data,
            note=form.note.data, now=clock.utcnow()))
        if done:
            waiting = ("We will confirm it soon." if redemption.state.value == "requested"
                       else "It is on its way.")
            flash(f"You redeemed {offer.reward.name} for {redemption.points:,} points. {waiting}", "success")
            return redirect(url_for("portal.my_redemptions"))
        offer = _offer(reward_id)  # the balance or stock may have changed under us
    if not form.request_key.data:
        form.request_key.data = uuid.uuid4().hex
    return render_template("portal/reward.html", offer=offer, form=form)


@bp.get("/rewards/mine")
def my_redemptions():
    mine = rewards_service.redemptions_of(db.session, advocate_id=current_user.id)
    return render_template("portal/redemptions.html", cancel_form=ButtonForm(), redemptions=mine)


@bp.post("/rewards/mine/<int:redemption_id>/cancel")
def cancel_redemption(redemption_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mine = rewards_service.get_own_redemption(db.session, advocate=current_user,
                                                  redemption_id=redemption_id)
    except NotFound:
        abort(404)  # someone else's redemption does not exist, as far as this advocate can tell
    if asked := ask_first("cancel_redemption", cancel_url=url_for("portal.my_redemptions"),
                          reward=mine.reward.name, points=f"{mine.points:,}"):
        return asked
    done, redemption = commit_or_attach(form, lambda: rewards_service.cancel(
        db.session, advocate=current_user, redemption_id=redemption_id, now=clock.utcnow()))
    if done:
        flash(f"Cancelled. Your {redemption.points:,} points are back in your balance.", "success")
    return redirect(url_for("portal.my_redemptions"))
