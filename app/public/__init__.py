"""Public pages (no prefix): landing, sign-in and sign-out, invitation acceptance."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import routes  # noqa: E402,F401
