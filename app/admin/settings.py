"""Program settings (admin only)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.settings import SettingsForm
from app.extensions import db
from app.forms_support import attach_error
from app.security import role_required
from app.services import clock
from app.services import settings as settings_service
from app.services.errors import DomainError


@bp.route("/settings", methods=["GET", "POST"])
@role_required()
def settings_edit():
    form = SettingsForm(data=settings_service.load(db.session).values)
    if form.validate_on_submit():
        try:
            settings_service.save(db.session, changes=form.changes(), actor_id=current_user.id,
                                  now=clock.utcnow())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Settings saved.", "success")
            return redirect(url_for("admin.settings_edit"))
    return render_template("admin/settings.html", form=form)
