"""Checking and resizing a brand image with Pillow: the bytes decide, never the name or content type.

Only PNG, JPEG and WebP are parsed (Pillow is told so), a file over MAX_BYTES or an image over
MAX_PIXELS (a decompression bomb: a small file that expands to a huge bitmap) is refused before it
is decoded, and the result is always re-encoded as a PNG of bounded size, so what is served is an
image we wrote, not the upload.
"""

import warnings
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from app.services.errors import ValidationFailed

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # e.g. 5000 x 5000; well under Pillow's own bomb limit
TOO_MANY = "That image is {size}, too many pixels to process safely; the limit is {limit} megapixels."


@dataclass(frozen=True)
class Shape:
    """How an image is stored: fit inside `box`; `square` pads it onto a transparent square; `crop`
    fills the box instead, cutting the image's centre out of it (a portrait keeps the face)."""

    box: tuple[int, int]
    square: bool = False
    crop: bool = False


LOGO = Shape((640, 160))
FAVICON = Shape((64, 64), square=True)


def _refuse(message: str, field: str):
    raise ValidationFailed(message, field=field)


def _open(data: bytes, field: str) -> Image.Image:
    if not data:
        _refuse("That file is empty.", field)
    if len(data) > MAX_BYTES:
        _refuse(f"That file is too large: the limit is {MAX_BYTES // (1024 * 1024)} MB.", field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(TOO_MANY.format(size="that large", limit=MAX_PIXELS // 1_000_000), field)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        _refuse("That file is not a PNG, JPEG or WebP image.", field)
    width, height = image.size
    if width * height > MAX_PIXELS:
        _refuse(TOO_MANY.format(size=f"{width:,} × {height:,} pixels", limit=MAX_PIXELS // 1_000_000), field)
    return image


def prepare(data: bytes, shape: Shape, *, field: str) -> bytes:
    """PNG bytes of the upload fitted to `shape`; ValidationFailed on `field` with the reason otherwise."""
    image = _open(data, field)
    try:
        image.load()
        image = ImageOps.exif_transpose(image).convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse("That image is damaged or incomplete.", field)
    if shape.crop:
        image = ImageOps.fit(image, shape.box, Image.Resampling.LANCZOS)
    else:
        image.thumbnail(shape.box, Image.Resampling.LANCZOS)
    if shape.square and not shape.crop:
        canvas = Image.new("RGBA", shape.box, (0, 0, 0, 0))
        canvas.paste(image, ((shape.box[0] - image.width) // 2, (shape.box[1] - image.height) // 2))
        image = canvas
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
