"""The advocate's picture: upload or remove it on the profile page; served to signed-in advocates."""

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user

from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.portal import bp
from app.portal.forms import AvatarForm
from app.public.pictures import send_picture
from app.services import branding
from app.services.errors import NotFound
from app.services.people import avatars


def avatar_folder():
    return avatars.folder_in(current_app.config["UPLOAD_FOLDER"])


@bp.post("/profile/avatar")
def avatar_upload():
    form = AvatarForm()
    if form.validate_on_submit():
        data = form.avatar.data.stream.read(branding.MAX_BYTES + 1)
        advocate = current_user._get_current_object()
        done, replaced = commit_or_attach(form, lambda: avatars.set_avatar(
            db.session, advocate=advocate, folder=avatar_folder(), data=data))
        if done:
            avatars.discard_replaced(avatar_folder(), replaced)
            flash("Your picture is saved.", "success")
            return redirect(url_for("portal.profile"))
    from app.portal.account import profile_page  # the profile page with this form's errors
    return profile_page(avatar_form=form, status=422)


@bp.post("/profile/avatar/remove")
def avatar_remove():
    if ButtonForm().validate_on_submit():
        replaced = avatars.clear_avatar(db.session, advocate=current_user._get_current_object())
        db.session.commit()
        avatars.discard_replaced(avatar_folder(), replaced)
        flash("Your picture is removed: your initials show instead.", "success")
    return redirect(url_for("portal.profile"))


@bp.get("/avatars/<int:advocate_id>/<token>")
def avatar_image(advocate_id: int, token: str):
    try:
        path = avatars.path_of(db.session, advocate_id=advocate_id, token=token, folder=avatar_folder())
    except NotFound:
        abort(404)
    return send_picture(path)


