"""Referrals: list; the CRM hook that marks one converted with its deal amount."""

from app.api import bp
from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import ID, fields_named, integer
from app.api.pagination import envelope, page_args
from app.api.writes import write
from app.extensions import db
from app.models import ReferralState
from app.services import clock, listings, referral_pipeline


@bp.get("/referrals")
def referrals_list():
    after, limit = page_args()
    return envelope(listings.referrals(db.session, after=after, limit=limit), rep.referral)


@bp.post(f"/referrals/<{ID}:referral_id>/conversion")
@write
def referral_conversion(body: dict, referral_id: int):
    amount = integer(body, "amount", maximum=referral_pipeline.MAX_DEAL)
    with fields_named({"deal_amount": "amount"}):
        referral = referral_pipeline.move_referral(
            db.session, referral_id=referral_id, to=ReferralState.CONVERTED, staff=caller().actor,
            now=clock.utcnow(), note="Converted (API)", deal_amount=amount)
    return rep.referral(referral), 200
