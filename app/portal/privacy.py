"""The advocate's own membership and data: leave the program, download my data, erase my personal data.
Leaving and erasing ask first (a confirmation page), end every session of the advocate (an opted-out
account is refused by accounts.load_user) and sign them out here."""

import json

from flask import Response, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from app import badge_links
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.portal import bp
from app.portal.forms import EraseForm
from app.services import clock
from app.services.missions import evidence
from app.services.people import avatars, data_export, erasure, lifecycle


def _signed_out(message: str):
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("public.login"))


@bp.route("/profile/leave", methods=["GET", "POST"])
def leave():
    form = ButtonForm()
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: lifecycle.leave_program(
            db.session, advocate=current_user, now=clock.utcnow()))
        if done:
            return _signed_out("You have left the program and are signed out. Thank you for everything.")
    return render_template("portal/leave.html", form=form)


@bp.get("/profile/export")
def export():
    picture = avatars.data_uri(current_app.config["UPLOAD_FOLDER"], current_user)
    data = data_export.export_data(db.session, advocate=current_user, now=clock.utcnow(), picture=picture,
                                   badge_url=lambda uid: badge_links.links("assertion", uid=uid))
    name = f"rallypoint-my-data-{clock.utcnow():%Y-%m-%d}.json"
    return Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.route("/profile/erase", methods=["GET", "POST"])
def erase():
    form = EraseForm()
    if form.validate_on_submit():
        done, result = commit_or_attach(form, lambda: erasure.erase_my_data(
            db.session, advocate=current_user, password=form.password.data, now=clock.utcnow()))
        if done:
            for token in result.files:
                evidence.discard(current_app.config["UPLOAD_FOLDER"], token)
            evidence.discard(avatars.folder_in(current_app.config["UPLOAD_FOLDER"]), result.picture)
            return _signed_out("Your personal data is erased and you are signed out.")
    return render_template("portal/erase.html", form=form)
