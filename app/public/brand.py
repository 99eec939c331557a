"""The brand's public files: the logo and favicon images and the stylesheet of the primary colour.

Both are public (the sign-in page carries the brand too). An image's URL holds its random token
and the stylesheet's holds the colour, so each can be cached for a year: a new upload or colour
is a new URL.
"""

from pathlib import Path

from flask import abort, current_app, render_template, request, send_file

from app.extensions import db
from app.public import bp
from app.services import branding
from app.services.errors import NotFound
from app.services.program import brand as program_brand
from app.services.program import settings as settings_service

YEAR = 365 * 24 * 3600


def brand_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "brand"


@bp.get("/brand/<kind>/<token>")
def brand_image(kind: str, token: str):
    try:
        path = branding.path_of(db.session, kind=kind, folder=brand_folder(), token=token)
    except NotFound:
        abort(404)
    response = send_file(path, mimetype=branding.MIMETYPE, max_age=YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@bp.get("/brand.css")
def brand_css():
    color = settings_service.load(db.session).brand_color or program_brand.DEFAULT_COLOR
    r, g, b = program_brand.rgb(color)
    body = render_template("brand.css", color=color, hover=program_brand.shade(color, 0.18),
                           rgb=f"{r}, {g}, {b}")
    response = current_app.response_class(body, mimetype="text/css")
    fresh = request.args.get("v") == color.lstrip("#")
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable" if fresh else "no-cache"
    return response
