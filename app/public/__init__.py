"""Public pages (no prefix): landing, sign-in and sign-out, password resets, invitations, referral landing."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import passwords, referrals, routes  # noqa: E402,F401
