"""Leaderboards: all time, this month, this week (program timezone), optionally by region or industry."""

from flask import request

from app.api import bp
from app.api import representations as rep
from app.api.inputs import query_int
from app.api.pagination import MAX_LIMIT
from app.extensions import db
from app.services import clock, leaderboards
from app.services.errors import ValidationFailed

PERIODS = {"all-time": "all", "month": "month", "week": "week"}


@bp.get("/leaderboards/<period>")
def leaderboard(period: str):
    if period not in PERIODS:
        raise ValidationFailed("period is all-time, month or week.", field="period")
    board = leaderboards.board(
        db.session, period=PERIODS[period], now=clock.utcnow(), limit=query_int("limit", maximum=MAX_LIMIT),
        region=request.args.get("region") or None, industry=request.args.get("industry") or None)
    return {"period": period, "starts": rep.when(board.starts),
            "data": [rep.board_row(row, leaderboards.ANONYMOUS) for row in board.rows], "next_cursor": None}
