"""The portal's celebrations: every portal page rendered for an advocate shows (once) what they earned,
redeemed or were promoted to since the last page (services.points.celebrations keeps the watermarks)."""

from flask import g, request
from flask_login import current_user

from app.db.transactions import writing
from app.extensions import db
from app.portal import bp
from app.services.points import celebrations


@bp.app_context_processor
def _no_celebrations():
    return {"celebrations": []}


@bp.context_processor
def _celebrations():
    """On a page view (a GET render) read the advocate's new events to show them on this page."""
    if request.method != "GET" or not current_user.is_authenticated or current_user.is_staff:
        return {"celebrations": []}
    found = celebrations.pending(db.session, advocate=current_user._get_current_object())
    if found is None:
        return {"celebrations": []}
    g.celebrated = (current_user.id, found)
    return {"celebrations": found.items}


@bp.after_request
def _mark_celebrated(response):
    """Once the page is rendered, store what it celebrated as seen in a short write of its own (a commit
    earlier would expire what the view had loaded for the template)."""
    if (seen := g.pop("celebrated", None)) is not None and response.status_code == 200:
        with writing(db.session):
            celebrations.mark_seen(db.session, advocate_id=seen[0], seen=seen[1])
    return response
