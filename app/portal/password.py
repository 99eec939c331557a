"""The advocate's own password change (current password required)."""

from flask import url_for

from app.portal import bp
from app.public.forms import ChangePasswordForm
from app.security import password_change_page


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    return password_change_page(ChangePasswordForm(), "portal/password.html", url_for("portal.profile"))
