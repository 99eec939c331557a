"""Webhooks out (admin only): endpoints (the secret is shown once, on the response page), turning one
off and on, editing, rotating its secret and deleting it (both asked first), and the deliveries log:
each delivery's page lists every attempt, with replay."""

import json

from flask import current_app, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.forms.webhooks import EditEndpointForm, EndpointForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.security import role_required
from app.services import clock, webhooks


def _allow_private() -> bool:
    return current_app.config["WEBHOOKS_ALLOW_PRIVATE"]


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
        allow_private=_allow_private()))
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
    if request.form.get("back") == "delivery":
        return redirect(url_for("admin.webhook_delivery", delivery_id=delivery_id))
    return redirect(url_for("admin.webhook_deliveries"))


def _endpoint_page(endpoint, form: EditEndpointForm | None = None, secret: str | None = None,
                   status: int = 200):
    if form is None:
        form = EditEndpointForm(formdata=None, obj=endpoint)
    until = endpoint.previous_secret_until
    return render_template("admin/webhook_endpoint.html", endpoint=endpoint, form=form, secret=secret,
                           rotating=until is not None and until > clock.utcnow(), button=ButtonForm()), status


@bp.get("/webhooks/<int:endpoint_id>")
@role_required()
def webhook_endpoint(endpoint_id: int):
    return _endpoint_page(webhooks.get_endpoint(db.session, endpoint_id=endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>")
@role_required()
def webhook_update(endpoint_id: int):
    endpoint = webhooks.get_endpoint(db.session, endpoint_id=endpoint_id)
    form = EditEndpointForm()
    if not form.validate_on_submit():
        return _endpoint_page(endpoint, form, status=422)
    done, _ = commit_or_attach(form, lambda: webhooks.update_endpoint(
        db.session, endpoint_id=endpoint_id, url=form.url.data, event_types=form.event_types.data or [],
        active=form.active.data, now=clock.utcnow(), allow_private=_allow_private()))
    if not done:
        return _endpoint_page(webhooks.get_endpoint(db.session, endpoint_id=endpoint_id), form, status=422)
    flash("Endpoint saved.", "success")
    return redirect(url_for("admin.webhook_endpoint", endpoint_id=endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>/rotate")
@role_required()
def webhook_rotate(endpoint_id: int):
    endpoint = webhooks.get_endpoint(db.session, endpoint_id=endpoint_id)
    asked = ask_first("rotate_webhook_secret", cancel_url=url_for("admin.webhook_endpoint",
                                                                 endpoint_id=endpoint_id), url=endpoint.url)
    if asked:
        return asked
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("admin.webhook_endpoint", endpoint_id=endpoint_id))
    secret = webhooks.rotate_secret(db.session, endpoint_id=endpoint_id, now=clock.utcnow())
    db.session.commit()
    # Rendered, not redirected: the secret must not travel through the session cookie.
    response, _ = _endpoint_page(endpoint, secret=secret)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/webhooks/<int:endpoint_id>/delete")
@role_required()
def webhook_delete(endpoint_id: int):
    endpoint = webhooks.get_endpoint(db.session, endpoint_id=endpoint_id)
    asked = ask_first("delete_webhook", cancel_url=url_for("admin.webhook_endpoint", endpoint_id=endpoint_id),
                      url=endpoint.url)
    if asked:
        return asked
    if ButtonForm().validate_on_submit():
        url = webhooks.delete_endpoint(db.session, endpoint_id=endpoint_id, now=clock.utcnow())
        db.session.commit()
        flash(f"{url} deleted; its waiting events were dropped.", "success")
    return redirect(url_for("admin.webhooks_list"))


@bp.get("/webhooks/deliveries/<int:delivery_id>")
@role_required()
def webhook_delivery(delivery_id: int):
    delivery, attempts = webhooks.attempts_of(db.session, delivery_id=delivery_id)
    payload = json.dumps(delivery.payload, indent=2, sort_keys=True)
    return render_template("admin/webhook_delivery.html", delivery=delivery, attempts=attempts,
                           payload=payload, button=ButtonForm())
