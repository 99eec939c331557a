"""Brand images: the bytes decide (Pillow), bombs and oversized files are refused, the result is a
bounded PNG."""

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from app.services.branding import images
from app.services.errors import ValidationFailed


def encoded(size=(1200, 600), fmt="PNG", mode="RGB", color=(11, 92, 173)) -> bytes:
    out = BytesIO()
    Image.new(mode, size, color).save(out, format=fmt)
    return out.getvalue()


def claimed_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` (what a decompression bomb looks like)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(
        b"IEND", b"")


def refused(data: bytes, shape=images.LOGO) -> str:
    with pytest.raises(ValidationFailed) as caught:
        images.prepare(data, shape, field="logo")
    assert caught.value.field == "logo"
    return caught.value.message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_logo_is_fitted_into_its_box_and_stored_as_png(fmt):
    result = Image.open(BytesIO(images.prepare(encoded(fmt=fmt), images.LOGO, field="logo")))
    assert result.format == "PNG"
    assert result.size == (320, 160)  # 1200 x 600 scaled to fit 640 x 160, keeping its shape


def test_a_small_logo_is_not_enlarged():
    small = images.prepare(encoded((100, 40)), images.LOGO, field="logo")
    assert Image.open(BytesIO(small)).size == (100, 40)


def test_a_favicon_is_made_square_and_small_on_a_transparent_ground():
    result = Image.open(BytesIO(images.prepare(encoded((300, 100)), images.FAVICON, field="favicon")))
    assert result.size == (64, 64) and result.mode == "RGBA"
    assert result.getpixel((0, 0))[3] == 0 and result.getpixel((32, 32))[3] == 255


@pytest.mark.parametrize("data", [b"GIF89a" + b"\x00" * 64, b"%PDF-1.7 not an image", b"<svg></svg>",
                                  b"\x89PNG\r\n\x1a\n broken"])
def test_files_that_are_not_png_jpeg_or_webp_are_refused_whatever_they_are_called(data):
    assert "not a PNG, JPEG or WebP image" in refused(data)


def test_a_gif_is_refused_even_though_it_is_an_image():
    assert "not a PNG, JPEG or WebP image" in refused(encoded(fmt="GIF", mode="P", color=1))


def test_an_oversized_file_is_refused_before_it_is_decoded():
    assert "too large: the limit is 2 MB" in refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * images.MAX_BYTES)


def test_a_decompression_bomb_is_refused_with_its_size():
    message = refused(claimed_png(6000, 6000))
    assert "6,000 × 6,000 pixels" in message and "25 megapixels" in message


def test_a_bomb_beyond_pillows_own_limit_is_refused_too():
    assert "too many pixels" in refused(claimed_png(30000, 30000))


def test_an_empty_file_and_a_truncated_image_are_refused():
    assert "empty" in refused(b"")
    noisy = BytesIO()
    Image.effect_noise((200, 200), 80).save(noisy, format="PNG")
    assert "damaged" in refused(noisy.getvalue()[: len(noisy.getvalue()) // 2])
