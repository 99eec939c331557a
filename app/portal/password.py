"""The advocate's own password change (current password required)."""

from flask import flash, redirect, render_template, url_for

from app.portal import bp
from app.public.forms import ChangePasswordForm
from app.security import CHANGED_NOTE, change_own_password, too_many


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        outcome = change_own_password(form)
        if outcome is True:
            flash(CHANGED_NOTE, "success")
            return redirect(url_for("portal.profile"))
        if outcome:
            return too_many(render_template("portal/password.html", form=form), outcome)
    return render_template("portal/password.html", form=form)
