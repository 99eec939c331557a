"""The JSON API (/api/v1, SPEC §15): bearer keys, JSON in and out, guarded in one place.

No cookies are read here, so the blueprint is exempt from CSRF. Errors use the envelope of
app/errors.py: {"error": {"code", "message", "field"}}.
"""

from flask import Blueprint
from werkzeug.routing import PathConverter

from app.api.auth import require_key
from app.api.inputs import refuse_nul_in_query
from app.extensions import csrf


class AnyTextConverter(PathConverter):
    """Like `path`, but also matches newlines and other control characters (Werkzeug's `.` does not),
    so an odd external id reaches the view and is refused there (422) instead of missing the route (404)."""

    regex = r"[\s\S]+?"
    part_isolating = False  # it spans "/" (Werkzeug infers True from a regex without one)


bp = Blueprint("api", __name__)
# Registered on the app before the blueprint's rules (deferred functions run in order).
bp.record_once(lambda state: state.app.url_map.converters.setdefault("anytext", AnyTextConverter))
bp.before_request(require_key)
bp.before_request(refuse_nul_in_query)
csrf.exempt(bp)

from app.api import (  # noqa: E402,F401
    advocates,
    attempts,
    catalog,
    content,
    customers,
    docs,
    events,
    kpis,
    leaderboards,
    opportunities,
    references,
    referrals,
    rewards,
)
