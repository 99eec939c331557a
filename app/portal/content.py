"""The advocate's own content (My content): what we collected from them, which uses they agreed to
(website, sales material, social; grant or withdraw at any time) and case studies to approve."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms_support import ButtonForm
from app.models import ContentState, ContentUse
from app.portal import bp
from app.portal.forms import ConsentForm
from app.services import clock, content
from app.services.errors import DomainError, NotFound


def _own(item_id: int):
    try:
        item = content.get(db.session, item_id=item_id)
    except NotFound:
        abort(404)
    if item.advocate_id != current_user.id or item.state == ContentState.ARCHIVED:
        abort(404)
    return item


@bp.get("/content")
def my_content():
    items = content.for_advocate(db.session, advocate_id=current_user.id)
    consents = {item.id: content.current(db.session, item_id=item.id) for item in items}
    return render_template("portal/content.html", items=items, consents=consents, uses=list(ContentUse),
                           form=ButtonForm())


@bp.get("/content/<int:item_id>")
def content_detail(item_id: int):
    item = _own(item_id)
    return render_template("portal/content_item.html", item=item, uses=list(ContentUse), form=ButtonForm(),
                           consent=content.current(db.session, item_id=item.id),
                           history=content.history(db.session, item_id=item.id))


@bp.post("/content/<int:item_id>/consent")
def content_consent(item_id: int):
    item = _own(item_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    granted = form.granted.data == "yes"
    content.set_consent(db.session, item_id=item.id, use=form.use.data, granted=granted, by_kind="advocate",
                        by_id=current_user.id, now=clock.utcnow())
    db.session.commit()
    label = ContentUse(form.use.data).label.lower()
    flash(f"Thank you: we may use it for {label}." if granted else
          f"Withdrawn: we no longer use it for {label}, starting now.", "success")
    return redirect(url_for("portal.content_detail", item_id=item.id))


@bp.post("/content/<int:item_id>/approve")
def content_approve(item_id: int):
    item = _own(item_id)
    if ButtonForm().validate_on_submit():
        try:
            content.author_approve(db.session, item_id=item.id, advocate_id=current_user.id,
                                   now=clock.utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Approved: thank you! We use it only for the uses you agreed to.", "success")
    return redirect(url_for("portal.content_detail", item_id=item_id))
