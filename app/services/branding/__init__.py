"""The program's brand images (logo, favicon): checked and resized with Pillow, stored, served."""

from app.services.branding.assets import (
    MIMETYPE,
    SHAPES,
    Replaced,
    clear_image,
    discard_replaced,
    path_of,
    set_image,
)
from app.services.branding.images import MAX_BYTES, MAX_PIXELS

__all__ = ["MIMETYPE", "SHAPES", "Replaced", "clear_image", "discard_replaced", "path_of", "set_image",
           "MAX_BYTES", "MAX_PIXELS"]
