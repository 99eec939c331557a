"""The brand (Admin → Brand, admin only): name, colour, logo and favicon; the welcome text, which
marketing edits too (its own page, /admin/welcome)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.brand import IMAGE_FORMS, BrandForm, WelcomeForm
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import StaffRole
from app.public.brand import brand_folder
from app.security import role_required
from app.services import branding, clock
from app.services.program import settings as settings_service

LABELS = {"logo": "Logo", "favicon": "Favicon"}


def _page(status: int = 200, **given):
    if status == 422:
        flash("Nothing was saved: see the marked field below.", "error")
    cfg = settings_service.load(db.session)
    forms = {"brand_form": BrandForm(formdata=None, data=cfg.values), "welcome_form": WelcomeForm(
        formdata=None, data=cfg.values), **{f"{k}_form": f(formdata=None) for k, f in IMAGE_FORMS.items()}}
    return render_template("admin/brand.html", cfg=cfg, remove_form=ButtonForm(formdata=None),
                           max_mb=branding.MAX_BYTES // (1024 * 1024), **{**forms, **given}), status


def _save(form, changes: dict) -> bool:
    done, _ = commit_or_attach(form, lambda: settings_service.save(
        db.session, changes=changes, actor_id=current_user.id, now=clock.utcnow()))
    return done


@bp.get("/brand")
@role_required()
def brand_edit():
    return _page()


@bp.post("/brand")
@role_required()
def brand_save():
    form = BrandForm()
    if form.validate_on_submit() and _save(form, form.changes()):
        flash("Brand saved.", "success")
        return redirect(url_for("admin.brand_edit"))
    return _page(422, brand_form=form)


@bp.post("/brand/<kind>")
@role_required()
def brand_image_upload(kind: str):
    if kind not in IMAGE_FORMS:
        abort(404)
    form = IMAGE_FORMS[kind]()
    if form.validate_on_submit():
        data = getattr(form, kind).data.stream.read(branding.MAX_BYTES + 1)
        done, replaced = commit_or_attach(form, lambda: branding.set_image(
            db.session, kind=kind, folder=brand_folder(), data=data, actor_id=current_user.id,
            now=clock.utcnow()))
        if done:
            branding.discard_replaced(brand_folder(), replaced)
            flash(f"{LABELS[kind]} saved.", "success")
            return redirect(url_for("admin.brand_edit"))
    return _page(422, **{f"{kind}_form": form})


@bp.post("/brand/<kind>/remove")
@role_required()
def brand_image_remove(kind: str):
    if kind not in IMAGE_FORMS:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    replaced = branding.clear_image(db.session, kind=kind, actor_id=current_user.id, now=clock.utcnow())
    db.session.commit()
    branding.discard_replaced(brand_folder(), replaced)
    flash(f"{LABELS[kind]} removed: the stock one shows again.", "success")
    return redirect(url_for("admin.brand_edit"))


@bp.route("/welcome", methods=["GET", "POST"])
@role_required(StaffRole.MARKETING)
def welcome_edit():
    form = WelcomeForm(data=settings_service.load(db.session).values)
    if form.validate_on_submit() and _save(form, {"welcome_text": form.welcome_text.data.strip()}):
        flash("Welcome text saved: it shows on every advocate's home page.", "success")
        return redirect(url_for("admin.welcome_edit"))
    return render_template("admin/welcome.html", form=form), 422 if form.errors else 200
