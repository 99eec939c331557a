"""The JSON API (/api/v1, SPEC §15): bearer keys, JSON in and out, guarded in one place.

No cookies are read here, so the blueprint is exempt from CSRF. Errors use the envelope of
app/errors.py: {"error": {"code", "message", "field"}}.
"""

from flask import Blueprint

from app.api.auth import require_key
from app.extensions import csrf

bp = Blueprint("api", __name__)
bp.before_request(require_key)
csrf.exempt(bp)

from app.api import (  # noqa: E402,F401
    advocates,
    attempts,
    catalog,
    customers,
    docs,
    events,
    kpis,
    leaderboards,
    referrals,
    rewards,
)
