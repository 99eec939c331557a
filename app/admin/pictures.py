"""A reward's picture and a mission's banner (marketing and admin): uploaded or removed on the edit
page; a refused file is shown next to the field on that page, with nothing changed."""

from flask import abort, current_app, flash, redirect, url_for

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.pictures import PictureForm
from app.admin.missions import picture_refused
from app.admin.rewards import edit_page
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.services import branding, pictures
from app.services import rewards as rewards_service
from app.services.missions import catalog


def _folder(kind: str):
    return pictures.folder_in(current_app.config["UPLOAD_FOLDER"], kind)


def _upload(kind: str, item_id: int, back: str, refused):
    form = PictureForm()
    if form.validate_on_submit():
        data = form.picture.data.stream.read(branding.MAX_BYTES + 1)
        done, replaced = commit_or_attach(form, lambda: pictures.set_picture(
            db.session, kind=kind, item_id=item_id, folder=_folder(kind), data=data))
        if done:
            pictures.discard_replaced(_folder(kind), replaced)
            flash("Picture saved: advocates see it now.", "success")
            return redirect(back)
    flash("The picture was not saved: see the marked field below.", "error")
    return refused(form)


def _remove(kind: str, item_id: int, back: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    replaced = pictures.clear_picture(db.session, kind=kind, item_id=item_id)
    db.session.commit()
    pictures.discard_replaced(_folder(kind), replaced)
    flash("Picture removed.", "success")
    return redirect(back)


@bp.post("/rewards/<int:reward_id>/picture")
@curators
def reward_picture(reward_id: int):
    reward = rewards_service.get_reward(db.session, reward_id)
    return _upload("reward", reward_id, url_for("admin.reward_edit", reward_id=reward_id),
                   lambda form: edit_page(reward, picture_form=form, status=422))


@bp.post("/rewards/<int:reward_id>/picture/remove")
@curators
def reward_picture_remove(reward_id: int):
    rewards_service.get_reward(db.session, reward_id)
    return _remove("reward", reward_id, url_for("admin.reward_edit", reward_id=reward_id))


@bp.post("/missions/<int:mission_id>/picture")
@curators
def mission_picture(mission_id: int):
    mission = catalog.get_mission(db.session, mission_id)
    return _upload("mission", mission_id, url_for("admin.mission_edit", mission_id=mission_id),
                   lambda form: picture_refused(mission, form))


@bp.post("/missions/<int:mission_id>/picture/remove")
@curators
def mission_picture_remove(mission_id: int):
    catalog.get_mission(db.session, mission_id)
    return _remove("mission", mission_id, url_for("admin.mission_edit", mission_id=mission_id))
