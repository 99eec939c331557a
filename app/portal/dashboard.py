"""The advocate's home page: points, status progress, rank, missions and attempts at a glance."""

from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.models import AttemptState
from app.portal import bp
from app.services import clock, missions
from app.services.missions import eligibility
from app.services.points import leaderboards
from app.services.points import status as status_service

IN_PROGRESS = (AttemptState.STARTED, AttemptState.SUBMITTED, AttemptState.REJECTED)
PAST = (AttemptState.APPROVED, AttemptState.DECLINED, AttemptState.EXPIRED)


@bp.get("/")
def dashboard():
    now, advocate = clock.utcnow(), current_user._get_current_object()  # the model, not the proxy
    offers = eligibility.offers_for(db.session, advocate, now)
    return render_template(
        "portal/dashboard.html",
        now=now,
        available=[o for o in offers if o.available],
        locked=[o for o in offers if not o.available and o.attempt is None],
        progress=status_service.progress(db.session, advocate, now, offers=offers),
        rank=leaderboards.rank_all_time(db.session, advocate),
        in_progress=missions.attempts_for(db.session, advocate_id=advocate.id, states=IN_PROGRESS),
        past=missions.attempts_for(db.session, advocate_id=advocate.id, states=PAST, limit=5),
    )
