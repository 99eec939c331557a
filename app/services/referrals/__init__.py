"""Referrals: codes and the landing page with its fraud rules, the referral lifecycle, and what staff and
advocates see of it."""

from app.services.referrals.landing import (
    Friend,
    find_code,
    get_or_create_code,
    get_submitted,
    open_landing,
    own_code,
    record_click,
    submit_referral,
)
from app.services.referrals.pipeline import move_referral, points_for
from app.services.referrals.reports import Funnel, funnel, get_for_staff, referrals_of, staff_list

__all__ = [
    "Friend", "find_code", "get_or_create_code", "get_submitted", "open_landing", "own_code",
    "record_click", "submit_referral", "move_referral", "points_for", "Funnel", "funnel", "get_for_staff",
    "referrals_of", "staff_list"
]
