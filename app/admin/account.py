"""The signed-in staff user's own account: who they are, and changing their password."""

from flask import url_for

from app.admin import bp
from app.public.forms import ChangePasswordForm
from app.security import password_change_page


@bp.route("/account", methods=["GET", "POST"])
def account():
    return password_change_page(ChangePasswordForm(), "admin/account.html", url_for("admin.account"))
