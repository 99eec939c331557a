"""Webhooks out (admin only): endpoints (the secret is shown once, on the response page), turning one
off and on, and the deliveries log with replay."""

from flask import current_app, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.forms.webhooks import EndpointForm
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.security import role_required
from app.services import clock, webhooks


def _page(form: EndpointForm, secret: str | None = None, status: int = 200):
    return render_template("admin/webhooks.html", form=form, endpoints=webhooks.list_endpoints(db.session),
                           secret=secret, button=ButtonForm()), status


@bp.get("/webhooks")
@role_required()
def webhooks_list():
    return _page(EndpointForm())


@bp.post("/webhooks")
@role_required()
def webhook_create():
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    done, made = commit_or_attach(form, lambda: webhooks.create_endpoint(
        db.session, url=form.url.data, event_types=form.event_types.data or [], now=clock.utcnow(),
        allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    if not done:
        return _page(form, status=422)
    # Rendered, not redirected: the secret must not travel through the (signed, unencrypted) session.
    response, _ = _page(EndpointForm(formdata=None), secret=made.secret, status=201)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/webhooks/<int:endpoint_id>/active")
@role_required()
def webhook_toggle(endpoint_id: int):
    if ButtonForm().validate_on_submit():
        endpoint = webhooks.set_active(db.session, endpoint_id=endpoint_id,
                                       active=request.form.get("active") == "1", now=clock.utcnow())
        db.session.commit()
        flash(f"{endpoint.url} is {'on' if endpoint.active else 'off'}.", "success")
    return redirect(url_for("admin.webhooks_list"))


@bp.get("/webhooks/deliveries")
@role_required()
def webhook_deliveries():
    endpoint_id = request.args.get("endpoint_id", type=int)
    page = request.args.get("page", 1, type=int)
    items, has_next = webhooks.recent_deliveries(db.session, endpoint_id=endpoint_id, page=page)
    return render_template("admin/webhook_deliveries.html", items=items, page=page, has_next=has_next,
                           endpoint_id=endpoint_id, button=ButtonForm())


@bp.post("/webhooks/deliveries/<int:delivery_id>/replay")
@role_required()
def webhook_replay(delivery_id: int):
    if ButtonForm().validate_on_submit():
        webhooks.replay(db.session, delivery_id=delivery_id, now=clock.utcnow())
        db.session.commit()
        flash("Queued again; it goes out with the next delivery run (within a minute).", "success")
    return redirect(url_for("admin.webhook_deliveries"))
