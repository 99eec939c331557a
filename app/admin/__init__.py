"""The staff area (/admin). Every route requires a staff user; narrower roles use role_required."""

from flask import Blueprint

from app.models import StaffRole
from app.security import has_role, require_staff

bp = Blueprint("admin", __name__)
bp.before_request(require_staff)


@bp.app_context_processor
def _roles():
    return {"has_role": has_role, "StaffRole": StaffRole}


from app.admin import (  # noqa: E402,F401
    account,
    advocate_lifecycle,
    advocates,
    api_keys,
    approvals,
    approvals_bulk,
    asks,
    audiences,
    brand,
    catalog,
    content,
    content_editor,
    customer_imports,
    customers,
    dashboard,
    embeds,
    feed,
    invites,
    jobs,
    missions,
    monthly_report,
    notifications,
    outbox,
    pictures,
    references,
    referrals,
    reports,
    rewards,
    sessions,
    settings,
    slack,
    staff,
    triggers,
    webhooks,
)
