from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.portal import bp
from app.services import clock, eligibility, leaderboards
from app.services import status as status_service


@bp.get("/")
def dashboard():
    now = clock.utcnow()
    return render_template(
        "portal/dashboard.html",
        offers=eligibility.offers_for(db.session, current_user, now),
        progress=status_service.progress(db.session, current_user, now),
        rank=leaderboards.rank_all_time(db.session, current_user),
    )
