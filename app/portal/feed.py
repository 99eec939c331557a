"""The community feed for advocates: recent achievements, newest first, a page at a time."""

from flask import render_template, request
from flask_login import current_user

from app.extensions import db
from app.portal import bp
from app.services import feed


@bp.get("/community")
def community_feed():
    cursor = request.args.get("before") or None
    shown = feed.page(db.session, viewer_id=current_user.id, cursor=cursor)
    return render_template("portal/feed.html", page=shown, paged=cursor is not None)
