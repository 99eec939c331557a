"""The rewards catalog and redemptions (read only)."""

from app.api import bp
from app.api import representations as rep
from app.api.inputs import query_int
from app.api.pagination import envelope, page_args
from app.extensions import db
from app.services import listings


@bp.get("/rewards")
def rewards_list():
    after, limit = page_args()
    return envelope(listings.rewards(db.session, after=after, limit=limit), rep.reward)


@bp.get("/redemptions")
def redemptions_list():
    after, limit = page_args()
    page = listings.redemptions(db.session, after=after, limit=limit, advocate_id=query_int("advocate_id"))
    return envelope(page, rep.redemption)
