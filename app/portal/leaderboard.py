"""Leaderboards for advocates: all time, this month, this week, with filters and the viewer's rank."""

from flask import render_template, request
from flask_login import current_user

from app.extensions import db
from app.portal import bp
from app.services import clock
from app.services.missions import audiences
from app.services.periods import period_end
from app.services.points import leaderboards

PERIOD_LABELS = {"all": "All time", "month": "This month", "week": "This week"}


@bp.get("/leaderboard")
def leaderboard():
    period = request.args.get("period", "all")
    region = request.args.get("region", "").strip() or None
    industry = request.args.get("industry", "").strip() or None
    result = leaderboards.board(db.session, period=period, now=clock.utcnow(), viewer_id=current_user.id,
                                region=region, industry=industry)
    ends = period_end(result.starts, period) if result.starts else None
    return render_template(
        "portal/leaderboard.html", board=result, period=period, labels=PERIOD_LABELS, ends=ends,
        region=region or "", industry=industry or "", options=audiences.held_values(db.session),
    )
