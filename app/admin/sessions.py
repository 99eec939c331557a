"""Ending every sign-in session of a person (admin only): their browsers and remember-me cookies
stop working at once; they can sign in again with their password."""

from flask import flash, redirect, request, url_for

from app.admin import bp
from app.admin.forms.people import EndSessionsForm
from app.confirmation import ask_first
from app.extensions import db
from app.models import Advocate, StaffUser
from app.security import role_required, safe_next_url
from app.services import clock
from app.services.people import sessions as login_sessions


def _ended(user, count: int) -> str:
    if not count:
        return f"{user.name} had no open sessions."
    return f"Ended {count} sign-in session{'' if count == 1 else 's'} of {user.name}."


@bp.post("/advocates/<int:advocate_id>/sessions/end")
@role_required()
def advocate_end_sessions(advocate_id: int):
    back = url_for("admin.advocate_detail", advocate_id=advocate_id)
    if asked := ask_first("end_sessions", cancel_url=back, name=db.get_or_404(Advocate, advocate_id).name):
        return asked
    if EndSessionsForm().validate_on_submit():
        user, count = login_sessions.end_all_of(db.session, advocate_id=advocate_id, now=clock.utcnow())
        db.session.commit()
        flash(_ended(user, count), "success")
    return redirect(back)


@bp.post("/staff/<int:staff_id>/sessions/end")
@role_required()
def staff_end_sessions(staff_id: int):
    """Back to the form's `next` (a same-site path, e.g. the staff list) or the dashboard."""
    back = safe_next_url(request.form.get("next")) or url_for("admin.dashboard")
    if asked := ask_first("end_sessions", cancel_url=back, name=db.get_or_404(StaffUser, staff_id).name):
        return asked
    if EndSessionsForm().validate_on_submit():
        user, count = login_sessions.end_all_of(db.session, staff_id=staff_id, now=clock.utcnow())
        db.session.commit()
        flash(_ended(user, count), "success")
    return redirect(back)
