"""Pictures of the catalog: a reward's product photo (640 × 400) and a mission's banner (960 × 320),
both cropped to fill their box from the image's centre. Staff upload and remove them; advocates see
them on the portal's cards and pages. Each kind keeps its files in its own folder."""

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.models import Mission, Reward
from app.services.branding import images
from app.services.errors import NotFound
from app.services.pictures import stored

FIELD = "picture"


@dataclass(frozen=True)
class Kind:
    model: type
    shape: images.Shape


KINDS = {"reward": Kind(Reward, images.Shape((640, 400), crop=True)),
         "mission": Kind(Mission, images.Shape((960, 320), crop=True))}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise NotFound("No such picture.")
    return KINDS[kind]


def _row(session: Session, kind: str, item_id: int):
    row = session.get(_kind(kind).model, item_id)
    if row is None:
        raise NotFound(f"No such {kind}.")
    return row


def folder_in(upload_root: str | os.PathLike, kind: str) -> Path:
    """Where a kind's pictures are kept: a folder of their own inside the evidence storage."""
    _kind(kind)
    return Path(upload_root) / "pictures" / kind


def set_picture(session: Session, *, kind: str, item_id: int, folder: str | os.PathLike,
                data: bytes) -> stored.Replaced:
    """Store the upload as the reward's or mission's picture; ValidationFailed (field `picture`) with
    the reason, and nothing changed, for a file that is not a fitting image; NotFound for no such row."""
    row = _row(session, kind, item_id)
    return stored.replace(session, row=row, attr=FIELD, shape=KINDS[kind].shape, folder=folder, data=data,
                          field=FIELD)


def clear_picture(session: Session, *, kind: str, item_id: int) -> stored.Replaced:
    return stored.clear(session, row=_row(session, kind, item_id), attr=FIELD)


def path_of(session: Session, *, kind: str, item_id: int, token: str, folder: str | os.PathLike) -> Path:
    """The stored picture of that reward or mission; NotFound for any other token."""
    row = session.get(_kind(kind).model, item_id)
    return stored.current_path(row, attr=FIELD, token=token, folder=folder)


def size_of(kind: str) -> tuple[int, int]:
    """The stored picture's width and height (for the page's width/height attributes)."""
    return _kind(kind).shape.box
