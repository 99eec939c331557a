"""Demo pictures: three rewards and three missions get a picture drawn here with Pillow (a gradient in
brand-like colours with one simple shape; nothing downloaded, nobody's photo), stored through the
pictures service like an upload. Rows the demo does not have are skipped."""

import os
from io import BytesIO

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mission, Reward
from app.services import pictures

REWARDS = {
    "Rallypoint hoodie": ((11, 92, 173), (94, 53, 177), "circle"),
    "Plant a grove: 25 EUR donation": ((21, 110, 61), (132, 190, 70), "triangle"),
    "Summit VIP pass": ((168, 50, 36), (240, 160, 40), "diamond"),
}
MISSIONS = {
    "Review us on G2": ((196, 72, 32), (246, 178, 60), "diamond"),
    "Share your favourite feature on LinkedIn": ((10, 80, 150), (40, 160, 210), "circle"),
    "Refer a peer": ((70, 40, 140), (200, 70, 140), "triangle"),
}


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def draw(size: tuple[int, int], start: tuple, end: tuple, shape: str) -> bytes:
    """A diagonal-ish gradient from `start` to `end` with a pale shape on its right, as PNG bytes."""
    width, height = size
    image = Image.new("RGB", size)
    pen = ImageDraw.Draw(image)
    for x in range(width):
        pen.line([(x, 0), (x, height)], fill=_mix(start, end, x / (width - 1)))
    r = height // 3
    cx, cy = width - width // 4, height // 2
    pale = _mix(end, (255, 255, 255), 0.55)
    if shape == "circle":
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=pale)
    elif shape == "triangle":
        pen.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=pale)
    else:
        pen.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=pale)
    pen.ellipse([width // 10, height // 5, width // 10 + r // 2, height // 5 + r // 2], outline=pale, width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load_pictures(session: Session, *, upload_root: str | os.PathLike) -> int:
    """Give the demo's showcase rewards and missions a picture; how many were given."""
    given = 0
    for kind, model, column, table in (("reward", Reward, Reward.name, REWARDS),
                                       ("mission", Mission, Mission.title, MISSIONS)):
        box = pictures.KINDS[kind].shape.box
        for name, (start, end, shape) in table.items():
            row = session.scalars(select(model).where(column == name)).first()
            if row is None:
                continue
            pictures.set_picture(session, kind=kind, item_id=row.id, data=draw(box, start, end, shape),
                                 folder=pictures.folder_in(upload_root, kind))
            given += 1
    return given
