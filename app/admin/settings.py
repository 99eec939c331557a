"""Program settings (admin only)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.settings import SettingsForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.security import role_required
from app.services import clock
from app.services.program import settings as settings_service


@bp.route("/settings", methods=["GET", "POST"])
@role_required()
def settings_edit():
    cfg = settings_service.load(db.session)
    form = SettingsForm(data=cfg.values)
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: settings_service.save(
            db.session, changes=form.changes(), actor_id=current_user.id, now=clock.utcnow()))
        if done:
            flash("Settings saved.", "success")
            return redirect(url_for("admin.settings_edit"))
    if form.errors:
        flash("Nothing was saved: see the marked field below.", "error")
    return render_template("admin/settings.html", form=form,
                           out_of_reach=settings_service.out_of_reach(db.session, cfg))
