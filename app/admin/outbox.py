"""The email outbox (admins): what was queued, sent, retrying or failed, and each message's bodies."""

from flask import render_template, request

from app.admin import bp
from app.extensions import db
from app.security import role_required
from app.services.messaging import outbox


@bp.get("/outbox")
@role_required()
def outbox_list():
    page = outbox.list_messages(db.session, page=request.args.get("page", 1, type=int))
    return render_template("admin/outbox.html", page=page)


@bp.get("/outbox/<int:message_id>")
@role_required()
def outbox_detail(message_id: int):
    message = outbox.get_message(db.session, message_id=message_id)
    return render_template("admin/outbox_message.html", message=message)
