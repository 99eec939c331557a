"""Staff administration (admins only): the staff list, changing a role, deactivating and reactivating
someone, and a new invitation link for staff who have not joined yet."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.lifecycle import StaffRoleForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm
from app.security import has_role, role_required
from app.services import clock
from app.services.errors import DomainError
from app.services.people import staff as staff_service


@bp.get("/staff")
@role_required()
def staff_list():
    return render_template("admin/staff.html", rows=staff_service.list_staff(db.session),
                           confirm=ButtonForm())


def _run(action):
    """One staff change as the request's transaction: its result, or None after flashing why not."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    return result


def _act(action, done: str):
    staff = _run(action)
    if staff is not None:
        flash(done.format(name=staff.name), "success")
    # An admin who just gave up their own admin role may no longer open the staff list.
    return redirect(url_for("admin.staff_list" if has_role() else "admin.dashboard"))


@bp.post("/staff/<int:staff_id>/role")
@role_required()
def staff_role(staff_id: int):
    form = StaffRoleForm()
    if not form.validate_on_submit():
        flash("Choose a role from the list.", "error")
        return redirect(url_for("admin.staff_list"))
    return _act(lambda: staff_service.change_role(db.session, actor=current_user, staff_id=staff_id,
                                                  role=form.role.data, now=clock.utcnow()),
                f"{{name}} is now {staff_service.ROLE_LABELS[form.role.data]}.")


@bp.post("/staff/<int:staff_id>/deactivate")
@role_required()
def staff_deactivate(staff_id: int):
    person = staff_service.get_staff(db.session, staff_id=staff_id)
    if asked := ask_first("deactivate_staff", cancel_url=url_for("admin.staff_list"), name=person.name):
        return asked
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _act(lambda: staff_service.deactivate(db.session, actor=current_user, staff_id=staff_id,
                                                 now=clock.utcnow()),
                "{name} is deactivated: they are signed out and cannot sign in.")


@bp.post("/staff/<int:staff_id>/reactivate")
@role_required()
def staff_reactivate(staff_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _act(lambda: staff_service.reactivate(db.session, actor=current_user, staff_id=staff_id,
                                                 now=clock.utcnow()),
                "{name} can sign in again.")


@bp.post("/staff/<int:staff_id>/invite")
@role_required()
def staff_invite(staff_id: int):
    person = staff_service.get_staff(db.session, staff_id=staff_id)
    if asked := ask_first("renew_invite", cancel_url=url_for("admin.staff_list"), email=person.email):
        return asked
    if not ButtonForm().validate_on_submit():
        abort(400)
    invite = _run(lambda: staff_service.resend_invite(
        db.session, actor=current_user, staff_id=staff_id, now=clock.utcnow(),
        valid_days=current_app.config["INVITE_MAX_AGE_DAYS"]))
    if invite is None:
        return redirect(url_for("admin.staff_list"))
    flash("A new invitation link was made; the old one no longer works.", "success")
    return redirect(url_for("admin.invite_link", invite_id=invite.id))
