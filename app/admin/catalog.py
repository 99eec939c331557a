"""Activity catalog and reward-tier bands (marketing and admin)."""

from flask import flash, redirect, render_template, url_for
from wtforms import SelectChoice

from app.admin import bp
from app.admin.forms.catalog import ActivityForm, BandForm
from app.extensions import db
from app.forms_support import commit_or_attach
from app.models import StaffRole
from app.security import role_required
from app.services import clock
from app.services.missions import catalog

curators = role_required(StaffRole.MARKETING)


@bp.get("/activities")
@curators
def activities_list():
    return render_template("admin/activities.html", activities=catalog.activities(db.session))


def _activity_form(activity=None) -> ActivityForm:
    form = ActivityForm(obj=activity)
    form.reward_tier_id.choices = [SelectChoice(b.id, f"{b.name} ({b.points:,} pts)")
                                   for b in catalog.bands(db.session)]
    return form


def _activity_values(form: ActivityForm) -> catalog.ActivityValues:
    names = catalog.ActivityValues.__dataclass_fields__
    return catalog.ActivityValues(**{name: getattr(form, name).data for name in names})


@bp.route("/activities/new", methods=["GET", "POST"])
@curators
def activity_new():
    form = _activity_form()
    if form.validate_on_submit():
        done, activity = commit_or_attach(form, lambda: catalog.save_activity(
            db.session, values=_activity_values(form), now=clock.utcnow()))
        if done:
            flash(f"Activity “{activity.name}” created.", "success")
            return redirect(url_for("admin.activities_list"))
    return render_template("admin/activity_form.html", form=form, activity=None)


@bp.route("/activities/<int:activity_id>", methods=["GET", "POST"])
@curators
def activity_edit(activity_id: int):
    activity = catalog.get_activity(db.session, activity_id)
    form = _activity_form(activity)
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: catalog.save_activity(
            db.session, values=_activity_values(form), now=clock.utcnow(), activity_id=activity_id,
            expected_version=_version(form)))
        if done:
            flash("Activity saved.", "success")
            return redirect(url_for("admin.activities_list"))
    return render_template("admin/activity_form.html", form=form, activity=activity)


def _version(form) -> int | None:
    raw = form.version_id.data
    return int(raw) if raw and str(raw).isdigit() else None


@bp.get("/bands")
@curators
def bands_list():
    return _bands_page()


def _bands_page(failed_id=None, failed_form=None, new_form=None):
    rows = [(band, failed_form if band.id == failed_id else BandForm(obj=band, prefix=f"band{band.id}"))
            for band in catalog.bands(db.session)]
    return render_template("admin/bands.html", rows=rows,
                           new_form=new_form or BandForm(prefix="new"))


@bp.post("/bands/<int:band_id>")
@curators
def band_save(band_id: int):
    form = BandForm(prefix=f"band{band_id}")
    if form.validate_on_submit():
        done, band = commit_or_attach(form, lambda: catalog.save_band(
            db.session, band_id=band_id, name=form.name.data, points=form.points.data))
        if done:
            flash(f"“{band.name}” now awards {band.points:,} points on future approvals.", "success")
            return redirect(url_for("admin.bands_list"))
    return _bands_page(failed_id=band_id, failed_form=form)


@bp.post("/bands/new")
@curators
def band_new():
    form = BandForm(prefix="new")
    if form.validate_on_submit():
        done, band = commit_or_attach(form, lambda: catalog.save_band(
            db.session, name=form.name.data, points=form.points.data))
        if done:
            flash(f"Reward tier “{band.name}” added.", "success")
            return redirect(url_for("admin.bands_list"))
    return _bands_page(new_form=form)
