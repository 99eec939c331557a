"""Embeds (marketing and admins): make an embeddable leaderboard or community feed, copy its URL or
<iframe>, revoke it."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.embeds import EmbedForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import Embed, StaffRole
from app.security import external_url, role_required
from app.services import clock
from app.services.community import embeds
from app.services.periods import to_utc
from app.services.program import settings as settings_service


def embed_url(embed: Embed) -> str:
    token = embeds.token_for(embed, secret=current_app.config["SECRET_KEY"])
    return external_url("community.embed", token=token)


def _page(form: EmbedForm, status: int = 200):
    listed = [(embed, embed_url(embed)) for embed in embeds.list_embeds(db.session)]
    return render_template("admin/embeds.html", form=form, listed=listed, revoke=ButtonForm(),
                           now=clock.utcnow()), status


def _utc(local):
    """The form's wall-clock time (program timezone) as stored UTC; None stays None."""
    return None if local is None else to_utc(local, settings_service.load(db.session).timezone)


@bp.get("/embeds")
@role_required(StaffRole.MARKETING)
def embeds_list():
    return _page(EmbedForm())


@bp.post("/embeds")
@role_required(StaffRole.MARKETING)
def embed_create():
    form = EmbedForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    spec = embeds.EmbedSpec(name=form.name.data, period=form.period.data, rows=form.rows.data,
                            theme=form.theme.data, names=form.names.data, region=form.region.data,
                            industry=form.industry.data, origins=form.origin_list(),
                            expires_at=_utc(form.expires_at.data), what=form.what.data)
    done, made = commit_or_attach(form, lambda: embeds.create_embed(
        db.session, spec=spec, created_by=current_user, now=clock.utcnow()))
    if not done:
        return _page(form, status=422)
    flash(f"Embed “{made.name}” created: copy its snippet below.", "success")
    return redirect(url_for("admin.embeds_list"))


@bp.post("/embeds/<int:embed_id>/revoke")
@role_required(StaffRole.MARKETING)
def embed_revoke(embed_id: int):
    embed = db.get_or_404(Embed, embed_id)
    asked = ask_first("revoke_embed", cancel_url=url_for("admin.embeds_list"), name=embed.name)
    if asked:
        return asked
    if ButtonForm().validate_on_submit():
        embed = embeds.revoke_embed(db.session, embed_id=embed_id, now=clock.utcnow())
        db.session.commit()
        flash(f"Embed “{embed.name}” revoked; its URL now answers “not found”.", "success")
    return redirect(url_for("admin.embeds_list"))
