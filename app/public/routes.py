from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from app.extensions import db
from app.forms_support import attach_error, commit_or_attach
from app.public import bp
from app.public.forms import AcceptInviteForm, LoginForm
from app.security import (
    client_ip,
    home_url,
    read_invite_token,
    safe_next_url,
    start_session,
    throttle_policy,
    too_many,
)
from app.services import clock
from app.services.errors import DomainError, RateLimited
from app.services.people import accounts, sign_in
from app.services.people import sessions as login_sessions


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return render_template("public/index.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in.sign_in(db.session, email=form.email.data, password=form.password.data,
                                   ip=client_ip(), now=clock.utcnow(), policy=throttle_policy(),
                                   commit=db.session.commit)
        except RateLimited as error:
            db.session.rollback()
            flash(error.message, "error")
            return too_many(render_template("public/login.html", form=form), error)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return render_template("public/login.html", form=form), 401
        start_session(user, remember=form.remember.data)
        return redirect(safe_next_url(request.args.get("next")) or home_url(user))
    return render_template("public/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        login_sessions.end(db.session, token=current_user.get_id(), now=clock.utcnow())
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("public.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    parsed = read_invite_token(token)
    if parsed is None:
        return render_template("public/invite_invalid.html",
                               message="This invitation link is not valid or has expired."), 404
    invite_id, nonce = parsed
    try:
        invite = accounts.open_invite(db.session, invite_id=invite_id, nonce=nonce, now=clock.utcnow())
    except DomainError as error:
        return render_template("public/invite_invalid.html", message=error.message), error.http_status
    form = AcceptInviteForm()
    if form.validate_on_submit():
        done, user = commit_or_attach(form, lambda: accounts.accept_invite(
            db.session, invite_id=invite_id, nonce=nonce, password=form.password.data, now=clock.utcnow()))
        if done:
            start_session(user, remember=False)
            flash("Welcome aboard! Your account is ready.", "success")
            return redirect(home_url(user))
    return render_template("public/accept_invite.html", form=form, invite=invite)
