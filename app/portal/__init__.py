"""The advocate portal (/portal). Every route requires a signed-in advocate."""

from flask import Blueprint

from app.security import require_advocate

bp = Blueprint("portal", __name__)
bp.before_request(require_advocate)

from app.portal import account, attempts, dashboard, leaderboard, missions, referrals, rewards  # noqa: E402,F401
