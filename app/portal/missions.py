"""Missions open to the advocate: list, detail, start and decline."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm
from app.portal import bp
from app.portal.forms import DeclineForm
from app.services import clock
from app.services import missions as missions_service
from app.services.errors import DomainError
from app.services.missions import eligibility


def _offer(mission_id: int):
    """The advocate's offer for one open mission in their audience, else 404."""
    offers = eligibility.offers_for(db.session, current_user, clock.utcnow())
    offer = next((o for o in offers if o.mission.id == mission_id), None)
    if offer is None:
        abort(404)
    return offer


@bp.get("/missions")
def missions_list():
    offers = eligibility.offers_for(db.session, current_user, clock.utcnow())
    return render_template(
        "portal/missions.html",
        available=[o for o in offers if o.available],
        taken=[o for o in offers if o.attempt is not None and not o.available],
        locked=[o for o in offers if not o.available and o.attempt is None],
    )


@bp.get("/missions/<int:mission_id>")
def mission_detail(mission_id: int):
    return render_template("portal/mission.html", offer=_offer(mission_id), start_form=ButtonForm(),
                           decline_form=DeclineForm())


@bp.post("/missions/<int:mission_id>/start")
def start_mission(mission_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        attempt = missions_service.start_mission(db.session, advocate=current_user, mission_id=mission_id,
                                                 now=clock.utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.http_status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for("portal.mission_detail", mission_id=mission_id))
    attempt_id = attempt.id  # before the commit expires it (no reload)
    db.session.commit()
    flash("Mission started — good luck! Submit your evidence below when you are done.", "success")
    return redirect(url_for("portal.attempt_detail", attempt_id=attempt_id))


@bp.post("/missions/<int:mission_id>/decline")
def decline_mission(mission_id: int):
    form = DeclineForm()
    if not form.validate_on_submit():
        return render_template("portal/mission.html", offer=_offer(mission_id), start_form=ButtonForm(),
                               decline_form=form), 422
    back = url_for("portal.mission_detail", mission_id=mission_id)
    if asked := ask_first("decline_mission", cancel_url=back, title=_offer(mission_id).mission.title):
        return asked
    try:
        missions_service.decline_mission(db.session, advocate=current_user, mission_id=mission_id,
                                         now=clock.utcnow(), reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        if error.http_status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for("portal.mission_detail", mission_id=mission_id))
    db.session.commit()
    flash("Mission declined. No problem — thanks for letting us know.", "info")
    return redirect(url_for("portal.missions_list"))
