"""Forgotten passwords: ask for a reset link by email, then set a new password from the link."""

from flask import flash, make_response, redirect, render_template, session, url_for
from flask_login import logout_user

from app.extensions import db
from app.forms_support import commit_or_attach
from app.public import bp
from app.public.forms import ForgotPasswordForm, ResetPasswordForm
from app.security import client_ip, external_url, throttle_policy, too_many
from app.services import clock
from app.services.errors import DomainError, RateLimited
from app.services.people import password_resets
from app.services.people.accounts import normalise_email

RESET_DONE = ("Your password is changed, and every device that was signed in to your account is now "
              "signed out. Sign in with your new password.")


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """The same answer, page and status whether or not the email has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_resets.request_reset(
                db.session, email=form.email.data, ip=client_ip(), now=clock.utcnow(),
                policy=throttle_policy(), link_for=_reset_link)
        except RateLimited as error:
            db.session.rollback()
            form.email.errors.append(error.message)
            return too_many(render_template("public/forgot_password.html", form=form), error)
        db.session.commit()
        return render_template("public/forgot_password_sent.html", email=normalise_email(form.email.data),
                               minutes=int(password_resets.RESET_LIFETIME.total_seconds() // 60))
    return render_template("public/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        reset = password_resets.open_reset(db.session, token=token, now=clock.utcnow())
    except DomainError as error:
        page = render_template("public/reset_invalid.html", message=error.message)
        return _private(page, error.http_status)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: password_resets.complete_reset(
            db.session, token=token, password=form.password.data, now=clock.utcnow()))
        if done:
            logout_user()
            session.clear()
            flash(RESET_DONE, "success")
            return redirect(url_for("public.login"))
    user = reset.advocate or reset.staff
    return _private(render_template("public/reset_password.html", form=form, email=user.email))


def _reset_link(token: str) -> str:
    return external_url("public.reset_password", token=token)


def _private(body, status: int = 200):
    """The link's token is in the URL: keep the page out of caches and referrers."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
