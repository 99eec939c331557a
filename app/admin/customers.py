"""Advocate identification (marketing and admin): the qualified list and inviting from it (imports:
customer_imports.py)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.customers import InviteQualifiedForm, QualifiedFilterForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.jobs.runner import find, run_once
from app.security import invite_token
from app.services import clock
from app.services.customers import qualified


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


@bp.post("/qualified/refresh")
@curators
def qualified_refresh():
    """Run the weekly scoring job now, inline and under its lease (as Admin → Jobs → Run now does)."""
    before, holder = qualified.tier_counts(db.session), f"staff:{current_user.id}"
    # The run has its own session: end this one first (and touch no expired row after) so that
    # SQLite's single writer lock is free for it.
    db.session.rollback()
    outcome = run_once(current_app._get_current_object(), find(qualified.JOB), holder=holder)
    if not outcome.ran:
        flash("The scoring is running elsewhere right now; try again in a moment.", "info")
    elif outcome.error:
        flash(f"The scoring failed: {outcome.error}", "error")
    else:
        flash(refresh_message(before, qualified.tier_counts(db.session), outcome.items, outcome.duration_ms),
              "success")
    return redirect(url_for("admin.qualified_list"))


def refresh_message(before: dict[int, int], after: dict[int, int], changes: int, duration_ms: int) -> str:
    """'Scores refreshed in 1.2 s: 14 score, eligibility or tier changes. Qualified: 22 → 25 (…).'"""
    def count(counts, tier=None):
        return sum(counts.values()) if tier is None else counts.get(tier, 0)

    def change(tier=None):
        b, a = count(before, tier), count(after, tier)
        return f"{a}" if a == b else f"{b} → {a}"

    tiers = ", ".join(f"Tier {t} {change(t)}" for t in (1, 2, 3))
    done = f"{changes} score, eligibility or tier change{'' if changes == 1 else 's'}" if changes \
        else "nothing changed"
    took = f"{duration_ms} ms" if duration_ms < 1000 else f"{duration_ms / 1000:.1f} s"
    return f"Scores refreshed in {took}: {done}. Qualified: {change()} ({tiers})."


def _link(invite) -> str:
    return url_for("public.accept_invite", token=invite_token(invite), _external=True)
