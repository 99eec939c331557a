"""Helpers of the mission form's audience picker (marketing and admin): the live count of advocates an
audience reaches, and the named-advocate search. JSON for static/js/audience.js; staff only."""

from flask import jsonify, request
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.catalog import MissionForm
from app.admin.missions import audience_of, count_text
from app.extensions import db
from app.services.missions import audiences
from app.services.people import directory

SEARCH_LIMIT = 10


@bp.get("/audiences/count")
@curators
def audience_count():
    """How many advocates the audience in the query string (the mission form's own fields) reaches."""
    form = MissionForm(request.args, meta={"csrf": False})
    found = audiences.preview(db.session, audience=audience_of(form), activity_id=form.activity_id.data)
    return jsonify(matching=found.matching, active=found.active, unknown_emails=found.unknown_emails,
                   text=count_text(found))


@bp.get("/audiences/advocates")
@curators
def audience_advocates():
    """Advocates whose name, email or company contains `q` (2 characters at least), by name."""
    query = (request.args.get("q") or "").strip()[:100]
    if len(query) < 2:
        return jsonify(advocates=[])
    page = directory.search_advocates(db.session, viewer=current_user, query=query, page=1)
    return jsonify(advocates=[{"name": a.name, "company": a.company, "email": a.email}
                              for a in page.items[:SEARCH_LIMIT]])
