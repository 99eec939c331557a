"""The referral landing page /r/<code>: the two-sided offer, the friend's sign-up, the thank-you.

Attribution: the first referral link a browser opens is kept for ATTRIBUTION in a signed cookie
(the code and when it was set); while it is valid it wins over any later link, and /r/ alone
shows its referrer's page. Clicks are counted per code with a keyed hash of the client address.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from app.db.transactions import writing
from app.extensions import db
from app.forms_support import attach_error
from app.public import bp
from app.public.forms import ReferralForm
from app.security import client_ip
from app.services import clock, referrals
from app.services.errors import DomainError, NotFound, RateLimited

COOKIE = "rp_referral"
ATTRIBUTION = timedelta(days=30)
THANKS_KEY = "referral_thanks"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="referral-attribution-v1")


def client_hash() -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, client_ip().encode(), hashlib.sha256).hexdigest()[:32]


def attributed_code(now: datetime) -> str | None:
    """The code in this browser's attribution cookie if it is younger than ATTRIBUTION."""
    try:
        data = _serializer().loads(request.cookies.get(COOKIE, ""))
        code, since = str(data["c"]), datetime.fromisoformat(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return code if timedelta(0) <= now - since <= ATTRIBUTION else None


def _effective_code(url_code: str | None, now: datetime) -> str | None:
    first = attributed_code(now)
    if first and referrals.find_code(db.session, first) is not None:
        return first
    return url_code


def _unknown():
    return render_template("public/referral_unknown.html"), 404


def _landing(code: str, form: ReferralForm, status: int = 200):
    try:
        landing = referrals.open_landing(db.session, code=code)
    except NotFound:
        return _unknown()
    return render_template("public/referral_landing.html", landing=landing, form=form), status


@bp.get("/r/")
def referral_return():
    code = _effective_code(None, clock.utcnow())
    return _landing(code, ReferralForm()) if code else _unknown()


@bp.get("/r/<code>")
def referral_landing(code: str):
    now = clock.utcnow()
    effective = _effective_code(code, now)
    with writing(db.session):  # the click in its own short write; the page is read after it
        clicked = referrals.record_click(db.session, code=code, client_hash=client_hash(), now=now)
    page, status = _landing(effective, ReferralForm())
    response = current_app.make_response((page, status))
    if clicked and attributed_code(now) is None:
        response.set_cookie(COOKIE, _serializer().dumps({"c": code, "t": now.isoformat()}),
                            max_age=int(ATTRIBUTION.total_seconds()), httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.post("/r/<code>")
def referral_submit(code: str):
    now = clock.utcnow()
    effective = _effective_code(code, now)
    form = ReferralForm()
    if not form.validate_on_submit():
        return _landing(effective, form, 422)
    friend = referrals.Friend(form.name.data, form.email.data, form.company.data or "")
    try:
        referral = referrals.submit_referral(
            db.session, code=effective, friend=friend, client_hash=client_hash(), now=now,
            client_limit=current_app.config["REFERRAL_MAX_PER_CLIENT"],
            client_window_minutes=current_app.config["REFERRAL_CLIENT_WINDOW_MINUTES"])
    except RateLimited as error:
        db.session.rollback()
        return render_template("public/referral_limited.html", message=error.message), 429
    except NotFound:
        db.session.rollback()
        return _unknown()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _landing(effective, form, 422)
    session[THANKS_KEY] = referral.id  # before the commit expires it (no reload)
    db.session.commit()
    return redirect(url_for("public.referral_thanks", code=effective))


@bp.get("/r/<code>/thanks")
def referral_thanks(code: str):
    try:
        referral = referrals.get_submitted(db.session, referral_id=session.get(THANKS_KEY), code=code)
        landing = referrals.open_landing(db.session, code=code)
    except NotFound:
        return redirect(url_for("public.referral_landing", code=code))
    return render_template("public/referral_thanks.html", referral=referral, landing=landing)
