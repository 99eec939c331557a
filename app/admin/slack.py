"""The weekly Slack post (admin only): the webhook URL (stored, shown masked), day and hour, on/off,
and a test post sent at once that says whether Slack accepted it."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms.slack import SlackForm, TestPostForm
from app.db.transactions import intent_of
from app.extensions import db
from app.forms_support import attach_error, commit_or_attach
from app.security import external_url, role_required
from app.services import clock, community
from app.services.errors import ValidationFailed
from app.services.program import settings as settings_service
from app.services.webhooks import HttpPoster


def _page(form: SlackForm, status: int = 200):
    cfg = community.load_settings(db.session)
    return render_template("admin/slack.html", form=form, cfg=cfg, test_form=TestPostForm(),
                           timezone=settings_service.load(db.session).timezone,
                           public_base_url=current_app.config["PUBLIC_BASE_URL"]), status


@bp.route("/slack", methods=["GET", "POST"])
@role_required()
def slack_settings():
    cfg = community.load_settings(db.session)
    form = SlackForm(data={"weekday": cfg.weekday, "hour": cfg.hour, "enabled": cfg.enabled})
    if not form.validate_on_submit():
        return _page(form, 422 if form.errors else 200)
    done, _ = commit_or_attach(form, lambda: community.save_settings(
        db.session, url=form.url.data or "", weekday=form.weekday.data, hour=form.hour.data,
        enabled=form.enabled.data, allow_private=current_app.config["SLACK_ALLOW_PRIVATE"],
        actor_id=current_user.id, now=clock.utcnow()))
    if not done:
        flash("Nothing was saved: see the marked field below.", "error")
        return _page(form, 422)
    flash("Slack post settings saved.", "success")
    return redirect(url_for("admin.slack_settings"))


@bp.post("/slack/test")
@role_required()
def slack_test_post():
    if not TestPostForm().validate_on_submit():
        return redirect(url_for("admin.slack_settings"))
    try:
        with intent_of("read"):  # read the URL, then post with no transaction (no lock) held
            url, body = community.test_post(db.session, portal_url=external_url("portal.dashboard"))
    except ValidationFailed as error:
        db.session.rollback()
        form = SlackForm()
        attach_error(form, error)
        return _page(form, 422)
    db.session.rollback()
    response = community.post(url, body, HttpPoster(allow_private=current_app.config["SLACK_ALLOW_PRIVATE"]))
    if community.accepted(response):
        flash("Slack accepted the test post: look for it in the channel.", "success")
    else:
        flash(f"Slack did not accept the test post ({community.describe(response)}). Check the URL.", "error")
    return redirect(url_for("admin.slack_settings"))
