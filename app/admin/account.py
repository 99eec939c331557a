"""The signed-in staff user's own account: who they are, and changing their password."""

from flask import flash, redirect, render_template, url_for

from app.admin import bp
from app.public.forms import ChangePasswordForm
from app.security import CHANGED_NOTE, change_own_password, too_many


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        outcome = change_own_password(form)
        if outcome is True:
            flash(CHANGED_NOTE, "success")
            return redirect(url_for("admin.account"))
        if outcome:
            return too_many(render_template("admin/account.html", form=form), outcome)
    return render_template("admin/account.html", form=form)
