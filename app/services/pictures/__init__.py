"""Stored pictures (avatars, reward pictures, mission banners): checked, reshaped, stored, served."""

from app.services.pictures.catalog import (
    KINDS,
    clear_picture,
    folder_in,
    path_of,
    set_picture,
    size_of,
)
from app.services.pictures.stored import MIMETYPE, Replaced, discard_replaced

__all__ = ["KINDS", "MIMETYPE", "Replaced", "clear_picture", "discard_replaced", "folder_in", "path_of",
           "set_picture", "size_of"]
