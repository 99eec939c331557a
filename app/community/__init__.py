"""Embeds (no prefix, no sign-in): a leaderboard shown on another site, at /embed/<signed token>."""

from flask import Blueprint

bp = Blueprint("community", __name__)

from app.community import embeds  # noqa: E402,F401
