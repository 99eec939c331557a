"""Authentication at the edge: server-side sign-in sessions wired into Flask-Login, audience guards,
role checks, safe redirects, invitation tokens, and the password-change and rate-limit responses."""

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db, login_manager
from app.forms_support import attach_error
from app.models import StaffRole
from app.services import clock
from app.services.errors import DomainError, RateLimited
from app.services.people import sessions as login_sessions
from app.services.people import sign_in
from app.services.people.sign_in import ThrottlePolicy


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "public.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str):
    # user_id is a sign-in session's token (services.login_sessions), from the session cookie or the
    # remember-me cookie; only a live session of an active person signs the request in.
    return login_sessions.load_user(db.session, token=user_id, now=clock.utcnow())


def throttle_policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(per_email_and_ip=config["LOGIN_MAX_FAILURES"],
                          per_ip=config["LOGIN_MAX_FAILURES_PER_IP"],
                          window=timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))


def start_session(user, *, remember: bool) -> None:
    """Start a server-side sign-in session for `user` and sign this browser in with it (commits).

    The old Flask session is cleared first (no fixation); the row lasts as long as the cookie may."""
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    login_sessions.start(db.session, user=user, now=clock.utcnow(), lifetime=lifetime, remember=remember,
                         ip=client_ip(), user_agent=request.user_agent.string)
    db.session.commit()
    session.clear()
    login_user(user, remember=remember)


CHANGED_NOTE = "Your password is changed. Every other device signed in to your account is now signed out."


def password_change_page(form, template: str, done_url: str):
    """The signed-in person's "change your password" page (portal and staff) for a ChangePasswordForm.

    On a valid change every session of theirs ends and this browser gets a fresh one (as
    long-lived as the one it replaces), then it redirects to `done_url`; errors go next to their
    fields, and a throttled attempt is a 429 with Retry-After."""
    if not form.validate_on_submit():
        return render_template(template, form=form)
    user = current_user._get_current_object()
    remember = login_sessions.is_remembered(db.session, token=user.get_id(), now=clock.utcnow())
    try:
        sign_in.change_password(db.session, user=user, current_password=form.current_password.data,
                                new_password=form.password.data, now=clock.utcnow(),
                                policy=throttle_policy(), commit=db.session.commit)
    except DomainError as error:
        db.session.rollback()
        error.field = error.field or "current_password"
        attach_error(form, error)
        page = render_template(template, form=form)
        return too_many(page, error) if isinstance(error, RateLimited) else page
    start_session(user, remember=remember)
    flash(CHANGED_NOTE, "success")
    return redirect(done_url)


def too_many(body, error: RateLimited):
    """A 429 response that says when to try again, in the page and in a Retry-After header."""
    response = make_response(body, 429)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: PUBLIC_BASE_URL when set, else this request's host."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)


def require_advocate():
    """Blueprint guard for the advocate portal."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.is_staff:
        abort(403)
    return None


def require_staff():
    """Blueprint guard for the staff area."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return None


def role_required(*roles: StaffRole):
    """Narrow a staff route to some roles (admin always passes)."""
    allowed = {StaffRole.ADMIN, *roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not getattr(current_user, "is_staff", False) or current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def has_role(*roles: StaffRole) -> bool:
    return getattr(current_user, "is_staff", False) and current_user.role in {StaffRole.ADMIN, *roles}


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths such as /portal/missions; anything else is dropped."""
    if not target or any(ch in target for ch in "\\\r\n\t") or not target.startswith("/"):
        return None
    if target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home_url(user) -> str:
    return url_for("admin.dashboard") if user.is_staff else url_for("portal.dashboard")


def client_ip() -> str:
    return request.remote_addr or "unknown"


def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invite-v1")


def invite_token(invite) -> str:
    return _invite_serializer().dumps({"i": invite.id, "n": invite.nonce})


def read_invite_token(token: str) -> tuple[int, str] | None:
    """(invite id, nonce) from a signed link younger than the configured maximum age, else None."""
    max_age = current_app.config["INVITE_MAX_AGE_DAYS"] * 86400
    try:
        data = _invite_serializer().loads(token, max_age=max_age)
        return int(data["i"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
