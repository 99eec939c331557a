"""Badges: Open Badges 2.0 hosted assertions issued on promotion, revoked on a lowered status,
their public JSON documents and baked PNG images."""

from app.services.badges.assertions import (
    backfill,
    find,
    for_advocate,
    hashed_email,
    issue,
    revoke_above,
    revoke_all,
    revoked,
    settle,
)
from app.services.badges.baking import bake, baked_url, base_image
from app.services.badges.openbadges import (
    Issuer,
    assertion,
    badge_class,
    issuer,
    linkedin_url,
    revocation_list,
)

__all__ = [
    "backfill", "find", "for_advocate", "hashed_email", "issue", "revoke_above", "revoke_all", "revoked",
    "settle", "bake", "base_image", "baked_url", "Issuer", "assertion", "badge_class", "issuer",
    "linkedin_url", "revocation_list",
]
