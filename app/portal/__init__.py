"""The advocate portal (/portal). Every route requires a signed-in advocate."""

from flask import Blueprint

from app.security import require_advocate

bp = Blueprint("portal", __name__)
bp.before_request(require_advocate)

from app.portal import (  # noqa: E402,F401
    account,
    attempts,
    avatars,
    celebrate,
    content,
    dashboard,
    feed,
    leaderboard,
    missions,
    password,
    privacy,
    references,
    referrals,
    rewards,
)
