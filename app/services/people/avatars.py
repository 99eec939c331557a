"""An advocate's avatar picture: a stored picture (services.pictures.stored: checked and resized by
the brand's image checks, kept with the evidence storage under a random token held on the advocate).
The caller commits, then discards the replaced file."""

import os
from pathlib import Path

from sqlalchemy.orm import Session

from app.models import Advocate
from app.services.branding import images
from app.services.pictures import stored

AVATAR = images.Shape((256, 256), crop=True)


def folder_in(upload_root: str | os.PathLike) -> Path:
    """Where pictures are kept: a folder of their own inside the evidence storage."""
    return Path(upload_root) / "avatars"


def set_avatar(session: Session, *, advocate: Advocate, folder: str | os.PathLike,
               data: bytes) -> stored.Replaced:
    """Store the upload as the advocate's picture; ValidationFailed (field `avatar`) with the reason,
    and nothing stored, for a file that is not a PNG, JPEG or WebP image of a sane size."""
    return stored.replace(session, row=advocate, attr="avatar", shape=AVATAR, folder=folder, data=data,
                          field="avatar")


def clear_avatar(session: Session, *, advocate: Advocate) -> stored.Replaced:
    """Back to initials; returns the token to discard after the commit."""
    return stored.clear(session, row=advocate, attr="avatar")


def path_of(session: Session, *, advocate_id: int, token: str, folder: str | os.PathLike):
    """The stored picture of that advocate; NotFound for any other token (an old one included)."""
    return stored.current_path(session.get(Advocate, advocate_id), attr="avatar", token=token, folder=folder)


discard_replaced = stored.discard_replaced


def data_uri(upload_root: str | os.PathLike, advocate: Advocate) -> str | None:
    """The advocate's picture as a `data:` URI (for their data download); None when they have none."""
    return stored.data_uri(folder_in(upload_root), advocate.avatar)
