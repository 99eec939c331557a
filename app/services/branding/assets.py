"""The brand's logo and favicon: check and resize an upload, store it, point the setting at it.

Files are kept with the evidence storage (services/missions/evidence.py: a random token as the
name, in the folder the caller passes); the setting `brand_logo` / `brand_favicon` holds the token.
The caller commits, then discards the replaced file (the token returned as `old`).
"""

import os
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.services.branding import images
from app.services.errors import NotFound
from app.services.missions import evidence
from app.services.program import settings as settings_service

SHAPES = {"logo": images.LOGO, "favicon": images.FAVICON}
MIMETYPE = "image/png"


@dataclass(frozen=True)
class Replaced:
    token: str
    old: str


def _kind(kind: str) -> images.Shape:
    if kind not in SHAPES:
        raise NotFound("No such brand image.")
    return SHAPES[kind]


def set_image(session: Session, *, kind: str, folder: str | os.PathLike, data: bytes, actor_id: int | None,
              now: datetime) -> Replaced:
    """Store the upload as the program's `kind` ("logo" or "favicon"). ValidationFailed (field `kind`)
    with the reason, and nothing stored, for a file that is not a fitting image."""
    png = images.prepare(data, _kind(kind), field=kind)
    stored = evidence.store(folder, png, f"{kind}.png", max_mb=max(1, images.MAX_BYTES // (1024 * 1024)))
    key = f"brand_{kind}"
    old = settings_service.load(session).values[key]
    try:
        settings_service.save(session, changes={key: stored.token}, actor_id=actor_id, now=now)
    except Exception:
        evidence.discard(folder, stored.token)
        raise
    return Replaced(stored.token, old)


def clear_image(session: Session, *, kind: str, actor_id: int | None, now: datetime) -> Replaced:
    """Go back to the stock look for `kind`; returns the token to discard after the commit."""
    _kind(kind)
    key = f"brand_{kind}"
    old = settings_service.load(session).values[key]
    settings_service.save(session, changes={key: ""}, actor_id=actor_id, now=now)
    return Replaced("", old)


def path_of(session: Session, *, kind: str, folder: str | os.PathLike, token: str):
    """The stored file of the program's current `kind` image; NotFound for any other token."""
    _kind(kind)
    if not token or settings_service.load(session).values[f"brand_{kind}"] != token:
        raise NotFound("No such brand image.")
    return evidence.path_for(folder, token)


def discard_replaced(folder: str | os.PathLike, replaced: Replaced) -> None:
    """After the commit: remove the file the new setting no longer points at."""
    if replaced.old and replaced.old != replaced.token:
        evidence.discard(folder, replaced.old)
