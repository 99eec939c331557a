"""An advocate's account from their staff page: pause, resume or remove them with a reason, change their
owner, and the short history of those changes. Roles: marketing and admin do everything; a CSM may
pause and resume advocates in their own book (services.lifecycle has the rules)."""

from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin import bp
from app.admin.forms.lifecycle import AdvocateOwnerForm, AdvocateStateForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.models import AccountEvent, Advocate, AdvocateState, EventSource, StaffRole
from app.security import has_role, role_required
from app.services import clock
from app.services.errors import NotFound
from app.services.people import directory, lifecycle


@dataclass
class Panel:
    state_form: AdvocateStateForm | None  # None: no move the viewer may make
    owner_form: AdvocateOwnerForm | None  # None: the viewer may not change the owner
    history: list[AccountEvent]


def _state_form(advocate: Advocate, form: AdvocateStateForm | None = None) -> AdvocateStateForm | None:
    moves = lifecycle.allowed_moves(advocate, current_user)
    if not moves:
        return None
    form = form or AdvocateStateForm(formdata=None)
    form.state.choices = [SelectChoice("", "Choose…"),
                          *(SelectChoice(s.value, lifecycle.MOVE_LABELS[s]) for s in moves)]
    return form


def _owner_form(advocate: Advocate, form: AdvocateOwnerForm | None = None) -> AdvocateOwnerForm | None:
    if advocate.erased_at is not None or not has_role(StaffRole.MARKETING):
        return None
    form = form or AdvocateOwnerForm(formdata=None, data={"owner_id": advocate.owner_id or 0})
    form.owner_id.choices = [SelectChoice(0, "Choose…")] + [
        SelectChoice(s.id, f"{s.name} ({'CSM' if s.role == StaffRole.CSM else s.role.value})")
        for s in lifecycle.owner_choices(db.session)]
    return form


def panel(advocate: Advocate, state_form=None, owner_form=None) -> Panel:
    """The account section of the advocate page (admin/_advocate_lifecycle.html)."""
    return Panel(_state_form(advocate, state_form), _owner_form(advocate, owner_form),
                 lifecycle.history(db.session, advocate_id=advocate.id, limit=10))


def _advocate(advocate_id: int) -> Advocate:
    """The advocate in the viewer's book; 404 otherwise, for these posts too (never a hint it exists)."""
    try:
        return directory.get_advocate(db.session, viewer=current_user, advocate_id=advocate_id)
    except NotFound:
        abort(404)


def _page(advocate_id: int, **forms):
    from app.admin.advocates import _detail  # the page this section is part of (imports this module)

    return _detail(advocate_id, **forms)


@bp.post("/advocates/<int:advocate_id>/state")
def advocate_state(advocate_id: int):
    advocate = _advocate(advocate_id)
    form = _state_form(advocate, AdvocateStateForm())
    if form is None:
        flash("There is no change you can make to this account.", "error")
        return redirect(url_for("admin.advocate_detail", advocate_id=advocate_id))
    if form.validate_on_submit():
        to = AdvocateState(form.state.data)
        done, _ = commit_or_attach(form, lambda: lifecycle.change_advocate(
            db.session, advocate=advocate, changes=lifecycle.Changes(state=to, reason=form.reason.data),
            actor=current_user, source=EventSource.STAFF, now=clock.utcnow()))
        if done:
            flash(f"{advocate.name} is now {lifecycle.STATE_LABELS[to].lower()}.", "success")
            return redirect(url_for("admin.advocate_detail", advocate_id=advocate_id))
    return _page(advocate_id, state_form=form)


@bp.post("/advocates/<int:advocate_id>/owner")
@role_required(StaffRole.MARKETING)
def advocate_owner(advocate_id: int):
    advocate = _advocate(advocate_id)
    form = _owner_form(advocate, AdvocateOwnerForm())
    if form is not None and form.validate_on_submit():
        owner = next(s for s in lifecycle.owner_choices(db.session) if s.id == form.owner_id.data)
        changes = lifecycle.Changes(owner=owner, reason=form.reason.data or "")
        done, _ = commit_or_attach(form, lambda: lifecycle.change_advocate(
            db.session, advocate=advocate, changes=changes, actor=current_user, source=EventSource.STAFF,
            now=clock.utcnow()))
        if done:
            flash(f"{owner.name} now owns {advocate.name}.", "success")
            return redirect(url_for("admin.advocate_detail", advocate_id=advocate_id))
    return _page(advocate_id, owner_form=form)
