"""An advocate's avatar picture: checked and resized by the brand's image checks (services.branding),
stored with the evidence storage under a random token held on the advocate. The caller commits, then
discards the replaced file."""

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.models import Advocate
from app.services.branding import images
from app.services.errors import NotFound
from app.services.missions import evidence

AVATAR = images.Shape((256, 256), crop=True)
MIMETYPE = "image/png"


def folder_in(upload_root: str | os.PathLike) -> Path:
    """Where pictures are kept: a folder of their own inside the evidence storage."""
    return Path(upload_root) / "avatars"


@dataclass(frozen=True)
class Replaced:
    token: str
    old: str


def set_avatar(session: Session, *, advocate: Advocate, folder: str | os.PathLike, data: bytes) -> Replaced:
    """Store the upload as the advocate's picture; ValidationFailed (field `avatar`) with the reason,
    and nothing stored, for a file that is not a PNG, JPEG or WebP image of a sane size."""
    png = images.prepare(data, AVATAR, field="avatar")
    stored = evidence.store(folder, png, "avatar.png", max_mb=max(1, images.MAX_BYTES // (1024 * 1024)))
    old, advocate.avatar = advocate.avatar, stored.token
    session.flush()
    return Replaced(stored.token, old)


def clear_avatar(session: Session, *, advocate: Advocate) -> Replaced:
    """Back to initials; returns the token to discard after the commit."""
    old, advocate.avatar = advocate.avatar, ""
    session.flush()
    return Replaced("", old)


def path_of(session: Session, *, advocate_id: int, token: str, folder: str | os.PathLike):
    """The stored picture of that advocate; NotFound for any other token (an old one included)."""
    advocate = session.get(Advocate, advocate_id)
    if advocate is None or not token or advocate.avatar != token:
        raise NotFound("No such picture.")
    return evidence.path_for(folder, token)


def discard_replaced(folder: str | os.PathLike, replaced: Replaced) -> None:
    if replaced.old and replaced.old != replaced.token:
        evidence.discard(folder, replaced.old)


def data_uri(upload_root: str | os.PathLike, advocate: Advocate) -> str | None:
    """The advocate's picture as a `data:` URI (for their data download); None when they have none."""
    try:
        path = evidence.path_for(folder_in(upload_root), advocate.avatar)
    except NotFound:
        return None
    return f"data:{MIMETYPE};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
