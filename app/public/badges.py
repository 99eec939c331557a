"""Verifiable badges, public (no sign-in): the Open Badges 2.0 hosted-verification JSON (issuer,
badge classes, assertions, revocation list), the verification page and the baked PNG."""

from flask import abort, current_app, jsonify, render_template

from app.badge_links import issuer as _issuer
from app.badge_links import linkedin, links
from app.extensions import db
from app.models import Status
from app.public import bp
from app.services import badges
from app.services.errors import NotFound
from app.services.points import leaderboards
from app.services.points import status as status_service
from app.services.program import settings as settings_service


def _json(doc: dict, code: int = 200):
    response = jsonify(doc)
    response.status_code = code
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers fetch these from anywhere
    return response


def _status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        abort(404)


def _assertion(uid: str):
    try:
        return badges.find(db.session, uid=uid)
    except NotFound:
        abort(404)


@bp.get("/badges/issuer")
def badge_issuer():
    return _json(badges.issuer(_issuer(), links))


@bp.get("/badges/class/<status>")
def badge_class(status: str):
    target = _status(status)
    criteria = status_service.ladder(settings_service.load(db.session))[target]
    return _json(badges.badge_class(target, _issuer(), criteria, links))


@bp.get("/badges/class/<status>/image.png")
def badge_image(status: str):
    return current_app.response_class(badges.base_image(_status(status)), mimetype="image/png")


@bp.get("/badges/assertions/<uid>")
def badge_assertion(uid: str):
    record = _assertion(uid)
    return _json(badges.assertion(record, links), 410 if record.revoked else 200)


@bp.get("/badges/revocations")
def badge_revocations():
    return _json(badges.revocation_list(badges.revoked(db.session), links))


@bp.get("/badges/<uid>")
def badge_page(uid: str):
    record = _assertion(uid)
    who = _issuer()
    return render_template("public/badge.html", badge=record, issuer=who,
                           holder=leaderboards.public_name(record.advocate),
                           linkedin=linkedin(record, who),
                           assertion_url=links("assertion", uid=uid))


@bp.get("/badges/<uid>/badge.png")
def badge_download(uid: str):
    record = _assertion(uid)
    if record.revoked:
        abort(410)
    png = badges.bake(badges.base_image(record.status), links("assertion", uid=uid))
    return current_app.response_class(png, mimetype="image/png", headers={
        "Content-Disposition": f'attachment; filename="{record.status.value}-badge.png"'})
