"""The signed-in staff user's own in-app notifications (escalations and the like)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.extensions import db
from app.forms_support import ButtonForm
from app.services import clock
from app.services.messaging import notifications

LIMIT = 50


@bp.get("/notifications")
def notifications_list():
    items = notifications.recent(db.session, staff_id=current_user.id, limit=LIMIT)
    return render_template("admin/notifications.html", items=items, limit=LIMIT, form=ButtonForm())


@bp.post("/notifications/read")
def notifications_read():
    if ButtonForm().validate_on_submit():
        count = notifications.mark_all_read(db.session, staff_id=current_user.id, now=clock.utcnow())
        db.session.commit()
        flash("All caught up." if count else "Nothing new to mark.", "success")
    return redirect(url_for("admin.notifications_list"))
