"""API keys (admin only): create (the secret is shown once, on the response page), list, revoke."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.api_keys import ApiKeyForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import ApiKey, ApiScope
from app.security import role_required
from app.services import clock
from app.services.api import keys as api_keys


def _page(form: ApiKeyForm, secret: str | None = None, status: int = 200):
    keys = api_keys.list_keys(db.session)
    return render_template("admin/api_keys.html", form=form, keys=keys, secret=secret,
                           revoke=ButtonForm()), status


@bp.get("/api-keys")
@role_required()
def api_keys_list():
    return _page(ApiKeyForm())


@bp.post("/api-keys")
@role_required()
def api_key_create():
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    done, made = commit_or_attach(form, lambda: api_keys.create_key(
        db.session, name=form.name.data, scope=ApiScope(form.scope.data), created_by=current_user,
        now=clock.utcnow()))
    if not done:
        return _page(form, status=422)
    # Rendered, not redirected: the secret must not travel through the (signed, unencrypted) session.
    response, _ = _page(ApiKeyForm(formdata=None), secret=made.secret, status=201)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/api-keys/<int:key_id>/revoke")
@role_required()
def api_key_revoke(key_id: int):
    key = db.get_or_404(ApiKey, key_id)
    asked = ask_first("revoke_key", cancel_url=url_for("admin.api_keys_list"), name=key.name)
    if asked:
        return asked
    if ButtonForm().validate_on_submit():
        key = api_keys.revoke_key(db.session, key_id=key_id, now=clock.utcnow())
        db.session.commit()
        flash(f"API key “{key.name}” revoked; it no longer works.", "success")
    return redirect(url_for("admin.api_keys_list"))
