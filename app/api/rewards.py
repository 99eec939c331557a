"""The rewards catalog and redemptions (read only)."""

from app.api import representations as rep
from app.api.inputs import Query
from app.api.operations import Listing, route
from app.api.pagination import page_args
from app.extensions import db
from app.services.api import listings


@route("/rewards", get=Listing("The rewards catalog", rep.Reward))
def rewards_list():
    after, limit = page_args()
    return listings.rewards(db.session, after=after, limit=limit)


ADVOCATE_ID = Query.whole("advocate_id")


@route("/redemptions", get=Listing("Redemptions", rep.Redemption, (ADVOCATE_ID,)))
def redemptions_list():
    after, limit = page_args()
    return listings.redemptions(db.session, after=after, limit=limit, advocate_id=ADVOCATE_ID.value())
