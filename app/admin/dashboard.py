"""The staff overview."""

from flask import render_template
from flask_login import current_user

from app.admin import bp
from app.extensions import db
from app.services import clock
from app.services.people import directory
from app.services.program import settings as settings_service


@bp.get("/")
def dashboard():
    now = clock.utcnow()
    timezone = settings_service.load(db.session).timezone
    figures = directory.overview(db.session, viewer=current_user, now=now, timezone=timezone)
    return render_template("admin/dashboard.html", figures=figures, now=now)
