"""Public pages (no prefix): landing, sign-in and sign-out, invitation acceptance, referral landing."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import referrals, routes  # noqa: E402,F401
