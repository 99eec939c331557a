"""The content library for marketing: search and filters, one item (consent, tags, feed), items added
by hand and the CSV export of what may be used for a chosen use. The case-study editor is in
content_editor.py."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.admin import bp
from app.admin.forms.content import NewContentForm, StaffConsentForm, TagsForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import ContentKind, ContentState, ContentUse, StaffRole
from app.security import role_required
from app.services import clock, content
from app.services.content.items import TAGS
from app.services.errors import DomainError, NotFound

marketing = role_required(StaffRole.MARKETING)


def _choice(enum_cls, raw: str | None):
    try:
        return enum_cls(raw) if raw else None
    except ValueError:
        return None


def _filters() -> content.Filters:
    args = request.args
    return content.Filters(q=args.get("q", "")[:200], kind=_choice(ContentKind, args.get("kind")),
                           state=_choice(ContentState, args.get("state")),
                           consent=_choice(ContentUse, args.get("consent")),
                           tags={tag: args.get(tag, "")[:80] for tag in TAGS})


@bp.get("/content")
@marketing
def content_list():
    filters = _filters()
    page = content.library(db.session, filters=filters, page=request.args.get("page", 1, type=int) or 1)
    shown = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/content.html", page=page, filters=filters, shown=shown, tags=TAGS,
                           kinds=list(ContentKind), states=list(ContentState), uses=list(ContentUse))


@bp.get("/content/export.csv")
@marketing
def content_export():
    use = _choice(ContentUse, request.args.get("use"))
    if use is None:
        flash("Choose the use the export is for: only items consented for it are exported.", "error")
        return redirect(url_for("admin.content_list"))
    body = content.to_csv(db.session, use=use, filters=_filters())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="content-{use.value}.csv"'})


def _new_item(form: NewContentForm) -> content.NewItem:
    return content.NewItem(
        kind=form.kind.data, text=form.text.data or "", title=form.title.data or "",
        link=form.link.data or None, rating=form.rating.data, platform=form.platform.data,
        advocate_email=form.advocate_email.data or "", author_name=form.author_name.data or "",
        author_company=form.author_company.data or "", tags=form.tags())


@bp.route("/content/new", methods=["GET", "POST"])
@marketing
def content_new():
    form = NewContentForm()
    if form.validate_on_submit():
        new = _new_item(form)
        ok, item = commit_or_attach(form, lambda: content.create(
            db.session, new=new, staff_id=current_user.id, now=clock.utcnow()))
        if ok:
            flash("Added to the library.", "success")
            if item.kind == ContentKind.CASE_STUDY:
                return redirect(url_for("admin.content_editor", item_id=item.id))
            return redirect(url_for("admin.content_detail", item_id=item.id))
    return render_template("admin/content_new.html", form=form), 422 if form.errors else 200


def _item(item_id: int):
    try:
        return content.get(db.session, item_id=item_id)
    except NotFound:
        abort(404)


@bp.get("/content/<int:item_id>")
@marketing
def content_detail(item_id: int, tags_form=None):
    item = _item(item_id)
    return render_template(
        "admin/content_item.html", item=item, uses=list(ContentUse), form=ButtonForm(),
        tags_form=tags_form or TagsForm(obj=item), consent=content.current(db.session, item_id=item.id),
        history=content.history(db.session, item_id=item.id),
        publishable=content.is_usable(db.session, item_id=item.id, use=content.FEED_USE))


@bp.post("/content/<int:item_id>/tags")
@marketing
def content_tags(item_id: int):
    _item(item_id)
    form = TagsForm()
    if form.validate_on_submit():
        tags = form.tags()
        ok, _ = commit_or_attach(form, lambda: content.set_tags(db.session, item_id=item_id, tags=tags))
        if ok:
            flash("Tags saved.", "success")
            return redirect(url_for("admin.content_detail", item_id=item_id))
    return content_detail(item_id, tags_form=form), 422


def _act(item_id: int, action, done: str):
    if FlaskForm().validate_on_submit():
        try:
            action()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("admin.content_detail", item_id=item_id))


@bp.post("/content/<int:item_id>/publish")
@marketing
def content_publish(item_id: int):
    _item(item_id)
    return _act(item_id, lambda: content.publish(db.session, item_id=item_id, now=clock.utcnow()),
                "Published: it is in the community feed and the feed embeds now.")


@bp.post("/content/<int:item_id>/unpublish")
@marketing
def content_unpublish(item_id: int):
    item = _item(item_id)
    return _act(item_id, lambda: content.unpublish(db.session, item=item),
                "Taken out of the community feed and the feed embeds.")


@bp.post("/content/<int:item_id>/archive")
@marketing
def content_archive(item_id: int):
    item = _item(item_id)
    back = url_for("admin.content_detail", item_id=item_id)
    if asked := ask_first("archive_content", cancel_url=back, title=item.title or item.kind.label):
        return asked
    return _act(item_id, lambda: content.archive(db.session, item_id=item_id),
                "Archived: no longer exported or shown in the feed.")


@bp.post("/content/<int:item_id>/consent")
@marketing
def content_staff_consent(item_id: int):
    _item(item_id)
    form = StaffConsentForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(item_id, lambda: content.set_consent(
        db.session, item_id=item_id, use=form.use.data, granted=form.granted.data == "yes", by_kind="staff",
        by_id=current_user.id, now=clock.utcnow()), "Consent recorded.")
