"""Leaderboards: all time, this month, this week (program timezone), optionally by region or industry."""

from flask import request

from app.api import representations as rep
from app.api.inputs import query_int
from app.api.operations import Read, query, route
from app.api.pagination import MAX_LIMIT
from app.extensions import db
from app.services import clock, leaderboards
from app.services.errors import ValidationFailed

PERIODS = {"all-time": "all", "month": "month", "week": "week"}


@route("/leaderboards/<period>", path={"period": {"type": "string", "enum": list(PERIODS)}}, get=Read(
    "A leaderboard", rep.Leaderboard, (
        query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        query("region", {"type": "string"}), query("industry", {"type": "string"})),
    codes=("401", "422", "429")))
def leaderboard(period: str):
    if period not in PERIODS:
        raise ValidationFailed("period is all-time, month or week.", field="period")
    board = leaderboards.board(
        db.session, period=PERIODS[period], now=clock.utcnow(), limit=query_int("limit", maximum=MAX_LIMIT),
        region=request.args.get("region") or None, industry=request.args.get("industry") or None)
    return rep.Leaderboard.of(period, board, leaderboards.ANONYMOUS)
