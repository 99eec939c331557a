"""The staff overview."""

from flask import render_template
from flask_login import current_user

from app.admin import bp
from app.extensions import db
from app.models import StaffRole
from app.services import clock
from app.services.people import csm_book, directory
from app.services.program import settings as settings_service


@bp.get("/")
def dashboard():
    now = clock.utcnow()
    cfg = settings_service.load(db.session)
    figures = directory.overview(db.session, viewer=current_user, now=now, timezone=cfg.timezone)
    book = None
    if current_user.role == StaffRole.CSM:  # their own book: greeted by name, with what waits on them
        book = csm_book(db.session, csm=current_user, now=now,
                        escalate_days_before=cfg.escalate_csm_days_before)
    return render_template("admin/dashboard.html", figures=figures, book=book, now=now)
