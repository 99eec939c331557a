"""Authentication wiring, audience guards, role checks, safe redirects and invitation tokens."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db, login_manager
from app.models import StaffRole
from app.services import accounts


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "public.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str):
    return accounts.load_user(db.session, user_id)


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
