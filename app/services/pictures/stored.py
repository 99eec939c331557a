"""A stored picture: an upload checked and reshaped by the brand's image checks (branding.images),
kept with the evidence storage under a random token that a row's column holds, and served only while
the URL's token is the row's. Advocates' avatars, reward pictures and mission banners all use it.

The caller commits, then discards the replaced file (`discard_replaced`), so a rolled-back change
never loses the picture still in use.
"""

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.services.branding import images
from app.services.errors import NotFound
from app.services.missions import evidence

MIMETYPE = "image/png"


@dataclass(frozen=True)
class Replaced:
    token: str
    old: str


def replace(session: Session, *, row, attr: str, shape: images.Shape, folder: str | os.PathLike,
            data: bytes, field: str) -> Replaced:
    """Store the upload as `row.<attr>`; ValidationFailed on `field` with the reason, and nothing
    stored or changed, for a file that is not a PNG, JPEG or WebP image of a sane size."""
    png = images.prepare(data, shape, field=field)
    stored = evidence.store(folder, png, f"{field}.png", max_mb=max(1, images.MAX_BYTES // (1024 * 1024)))
    old = getattr(row, attr) or ""
    setattr(row, attr, stored.token)
    try:
        session.flush()
    except Exception:
        evidence.discard(folder, stored.token)
        raise
    return Replaced(stored.token, old)


def clear(session: Session, *, row, attr: str) -> Replaced:
    """No picture any more; returns the token to discard after the commit."""
    old = getattr(row, attr) or ""
    setattr(row, attr, "")
    session.flush()
    return Replaced("", old)


def current_path(row, *, attr: str, token: str, folder: str | os.PathLike) -> Path:
    """The stored file while `token` is the row's picture; NotFound for any other (an old one included)."""
    if row is None or not token or getattr(row, attr) != token:
        raise NotFound("No such picture.")
    return evidence.path_for(folder, token)


def discard_replaced(folder: str | os.PathLike, replaced: Replaced) -> None:
    """After the commit: remove the file the row no longer points at."""
    if replaced.old and replaced.old != replaced.token:
        evidence.discard(folder, replaced.old)


def data_uri(folder: str | os.PathLike, token: str) -> str | None:
    """The stored picture as a `data:` URI; None when there is none."""
    try:
        path = evidence.path_for(folder, token)
    except NotFound:
        return None
    return f"data:{MIMETYPE};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
