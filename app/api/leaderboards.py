"""Leaderboards: all time, this month, this week (program timezone), optionally by region or industry."""

from app.api import representations as rep
from app.api.inputs import Query
from app.api.operations import Read, route
from app.api.pagination import MAX_LIMIT
from app.extensions import db
from app.services import clock
from app.services.errors import ValidationFailed
from app.services.points import leaderboards

PERIODS = {"all-time": "all", "month": "month", "week": "week"}


LIMIT, REGION, INDUSTRY = Query.whole("limit", 1, MAX_LIMIT), Query.text("region"), Query.text("industry")


@route("/leaderboards/<period>", path={"period": {"type": "string", "enum": list(PERIODS)}}, get=Read(
    "A leaderboard", rep.Leaderboard, (LIMIT, REGION, INDUSTRY), codes=("401", "422", "429")))
def leaderboard(period: str):
    if period not in PERIODS:
        raise ValidationFailed("period is all-time, month or week.", field="period")
    board = leaderboards.board(
        db.session, period=PERIODS[period], now=clock.utcnow(), limit=LIMIT.value(),
        region=REGION.value() or None, industry=INDUSTRY.value() or None)
    return rep.Leaderboard.of(period, board, leaderboards.ANONYMOUS)
