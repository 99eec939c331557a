"""Public pages (no prefix): landing, sign-in and sign-out, password resets, invitations, referral landing,
verifiable badges."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import badges, brand, passwords, pictures, references, referrals, routes  # noqa: E402,F401
