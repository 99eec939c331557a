"""Advocate identification (marketing and admin): the qualified list and inviting from it (imports:
customer_imports.py)."""

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.customers import InviteQualifiedForm, QualifiedFilterForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.security import invite_token
from app.services import clock, qualified


def _list_page(invite_form=None):
    filters = QualifiedFilterForm(request.args)
    filters.validate()
    tier = filters.tier.data if filters.tier.data and not filters.tier.errors else None
    number = filters.page.data if filters.page.data and not filters.page.errors else 1
    page = qualified.qualified_page(db.session, now=clock.utcnow(), tier=tier, page=number)
    return render_template("admin/qualified.html", page=page, tier=tier,
                           invite_form=invite_form or InviteQualifiedForm(formdata=None))


@bp.get("/qualified")
@curators
def qualified_list():
    return _list_page()


@bp.post("/qualified/invite")
@curators
def qualified_invite():
    form = InviteQualifiedForm()
    if form.validate_on_submit():
        done, outcomes = commit_or_attach(form, lambda: qualified.invite_qualified(
            db.session, advocate_ids=form.advocate_ids.data or [], invited_by=current_user,
            now=clock.utcnow(), valid_days=current_app.config["INVITE_MAX_AGE_DAYS"]))
        if done:
            links = {o.invite.id: _link(o.invite) for o in outcomes}
            return render_template("admin/qualified_invited.html", outcomes=outcomes, links=links)
    return _list_page(invite_form=form)


def _link(invite) -> str:
    return url_for("public.accept_invite", token=invite_token(invite), _external=True)
