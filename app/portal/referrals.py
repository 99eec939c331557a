"""Refer a friend: the advocate's link, copy button and share text, their funnel and referrals."""

from flask import render_template, url_for
from flask_login import current_user

from app.db.transactions import writing
from app.extensions import db
from app.portal import bp
from app.services import clock, referrals
from app.services.referrals import reports as referral_reports


@bp.get("/referrals")
def referrals_page():
    code = referrals.own_code(db.session, advocate_id=current_user.id)
    if code is None:  # the first visit creates it, in a write of its own
        with writing(db.session):
            code = referrals.get_or_create_code(db.session, advocate_id=current_user.id, now=clock.utcnow())
    return render_template(
        "portal/referrals.html",
        link=url_for("public.referral_landing", code=code.code, _external=True),
        funnel=referral_reports.funnel(db.session, referrer_id=current_user.id),
        rows=referral_reports.referrals_of(db.session, advocate_id=current_user.id),
    )
