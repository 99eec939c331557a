"""Referrals: list; the CRM hook that marks one converted with its deal amount."""

from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import ID, fields_named
from app.api.operations import Listing, Write, route
from app.api.pagination import page_args
from app.api.shapes import Body, whole
from app.extensions import db
from app.models import ReferralState
from app.services import clock
from app.services.api import listings
from app.services.referrals import pipeline as referral_pipeline


class Conversion(Body):
    amount: whole(1, referral_pipeline.MAX_DEAL)


@route("/referrals", get=Listing("Referrals", rep.Referral))
def referrals_list():
    after, limit = page_args()
    return listings.referrals(db.session, after=after, limit=limit)


@route(f"/referrals/<{ID}:referral_id>/conversion", post=Write(
    "Mark a qualified referral converted (CRM hook)", Conversion, rep.Referral))
def referral_conversion(body: Conversion, referral_id: int):
    with fields_named({"deal_amount": "amount"}):
        referral = referral_pipeline.move_referral(
            db.session, referral_id=referral_id, to=ReferralState.CONVERTED, staff=caller().actor,
            now=clock.utcnow(), note="Converted (API)", deal_amount=body.amount)
    return rep.Referral.of(referral), 200
