"""The community feed for staff (marketing and admins): every item, newest first, to hide or unhide."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.admin import bp
from app.confirmation import ask_first
from app.extensions import db
from app.models import FeedItem, StaffRole
from app.security import role_required
from app.services import clock, feed


@bp.get("/feed")
@role_required(StaffRole.MARKETING)
def feed_list():
    cursor = request.args.get("before") or None
    shown = feed.page(db.session, cursor=cursor, staff=True)
    return render_template("admin/feed.html", page=shown, paged=cursor is not None)


@bp.post("/feed/<int:item_id>/hide")
@role_required(StaffRole.MARKETING)
def feed_hide(item_id: int):
    item = db.get_or_404(FeedItem, item_id)
    back = url_for("admin.feed_list", before=request.form.get("before") or None)
    asked = ask_first("hide_feed_item", cancel_url=back, text=item.text)
    if asked:
        return asked
    if FlaskForm().validate_on_submit():
        feed.hide(db.session, item_id=item_id, staff_id=current_user.id, now=clock.utcnow())
        db.session.commit()
        flash("Item hidden: the portal and every embed stop showing it now.", "success")
    return redirect(back)


@bp.post("/feed/<int:item_id>/unhide")
@role_required(StaffRole.MARKETING)
def feed_unhide(item_id: int):
    db.get_or_404(FeedItem, item_id)
    if FlaskForm().validate_on_submit():
        feed.unhide(db.session, item_id=item_id)
        db.session.commit()
        flash("Item shown again in the portal and the embeds.", "success")
    return redirect(url_for("admin.feed_list", before=request.form.get("before") or None))
