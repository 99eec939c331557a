"""Pictures of rewards and missions, for anyone signed in (advocates on the portal, staff previewing
in the admin). The URL holds the picture's random token and is served only while it is the row's
current one; a new upload is a new URL, so the file can be cached."""

from flask import abort, current_app, send_file
from flask_login import current_user

from app.extensions import db, login_manager
from app.public import bp
from app.services import pictures
from app.services.errors import NotFound

DAY = 86400


@bp.get("/pictures/<kind>/<int:item_id>/<token>")
def picture(kind: str, item_id: int, token: str):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    try:
        folder = pictures.folder_in(current_app.config["UPLOAD_FOLDER"], kind)
        path = pictures.path_of(db.session, kind=kind, item_id=item_id, token=token, folder=folder)
    except NotFound:
        abort(404)
    return send_picture(path)


def send_picture(path):
    """A stored picture for a signed-in viewer: cached a day by their browser, never by a shared cache."""
    response = send_file(path, mimetype=pictures.MIMETYPE, max_age=DAY, conditional=True)
    response.headers["Cache-Control"] = f"private, max-age={DAY}"
    return response
