"""The staff area (/admin). Every route requires a staff user; narrower roles use role_required."""

from flask import Blueprint

from app.security import require_staff

bp = Blueprint("admin", __name__)
bp.before_request(require_staff)

from app.admin import dashboard  # noqa: E402,F401
