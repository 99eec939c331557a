"""Invitations: admins invite staff and advocates, marketing invites advocates; links are shown to copy."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin import bp
from app.admin.forms.people import InviteAdvocateForm, InviteStaffForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import Invite, StaffRole
from app.security import has_role, invite_token, role_required
from app.services import clock
from app.services.errors import DomainError
from app.services.people import accounts, directory

inviters = role_required(StaffRole.MARKETING)


def _valid_days() -> int:
    return current_app.config["INVITE_MAX_AGE_DAYS"]


def _advocate_form() -> InviteAdvocateForm:
    form = InviteAdvocateForm(prefix="advocate")
    form.owner_id.choices = [SelectChoice(0, "No owner"),
                             *(SelectChoice(s.id, s.name) for s in directory.csm_choices(db.session))]
    return form


def _page(advocate_form=None, staff_form=None):
    staff_form = staff_form or (InviteStaffForm(prefix="staff") if has_role() else None)
    return render_template("admin/invites.html", advocate_form=advocate_form or _advocate_form(),
                           staff_form=staff_form, confirm=ButtonForm(),
                           rows=accounts.list_invites(db.session, now=clock.utcnow()))


@bp.get("/invites")
@inviters
def invites_list():
    return _page()


@bp.post("/invites/advocate")
@inviters
def invite_advocate():
    form = _advocate_form()
    if form.validate_on_submit():
        profile = accounts.AdvocateProfile(
            name=form.name.data.strip(), email=form.email.data,
            **{k: (getattr(form, k).data or "").strip()
               for k in ("company", "title", "industry", "company_size", "region")},
            owner_id=form.owner_id.data or None)
        done, invite = commit_or_attach(form, lambda: accounts.invite_advocate(
            db.session, profile=profile, invited_by=current_user, now=clock.utcnow(),
            valid_days=_valid_days()))
        if done:
            return _created(invite)
    return _page(advocate_form=form)


@bp.post("/invites/staff")
@role_required()
def invite_staff():
    form = InviteStaffForm(prefix="staff")
    if form.validate_on_submit():
        done, invite = commit_or_attach(form, lambda: accounts.invite_staff(
            db.session, email=form.email.data, name=form.name.data, role=form.role.data,
            invited_by=current_user, now=clock.utcnow(), valid_days=_valid_days()))
        if done:
            return _created(invite)
    return _page(staff_form=form)


@bp.post("/invites/<int:invite_id>/renew")
@inviters
def invite_renew(invite_id: int):
    invite = db.get_or_404(Invite, invite_id)
    if asked := ask_first("renew_invite", cancel_url=url_for("admin.invites_list"), email=invite.email):
        return asked
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        invite = accounts.reissue_invite(db.session, invite_id=invite_id, invited_by=current_user,
                                         now=clock.utcnow(), valid_days=_valid_days())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.invites_list"))
    db.session.commit()
    flash("A new link was made; the old one no longer works.", "info")
    return _created(invite)


def _created(invite: Invite):
    flash(f"Invitation for {invite.email} is ready.", "success")
    return redirect(url_for("admin.invite_link", invite_id=invite.id))


@bp.get("/invites/<int:invite_id>")
@inviters
def invite_link(invite_id: int):
    invite = db.session.get(Invite, invite_id)
    if invite is None or (invite.staff_id is not None and not has_role()):
        abort(404)
    state = accounts.invite_state(invite, clock.utcnow())
    link = url_for("public.accept_invite", token=invite_token(invite), _external=True)
    return render_template("admin/invite_link.html", invite=invite, state=state,
                           link=link if state == "pending" else None)

