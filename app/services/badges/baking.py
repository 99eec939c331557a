"""Badge images: a plain PNG medal per status, and baking (Open Badges baking spec): the assertion's
URL written into the PNG as an iTXt chunk with the keyword `openbadges`, with the stdlib only."""

import struct
import zlib
from functools import lru_cache

from app.models import Status

SIZE = 256
SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The status colours of the stylesheet (app.css --rp-*), so the images match the pages' pills.
COLOURS = {Status.BRONZE: (160, 101, 43), Status.SILVER: (107, 114, 128),
           Status.GOLD: (183, 134, 11), Status.PLATINUM: (79, 70, 229)}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _pixel(x: int, y: int, colour: tuple[int, int, int]) -> bytes:
    centre, dx, dy = SIZE / 2, x - SIZE / 2 + 0.5, y - SIZE / 2 + 0.5
    distance = (dx * dx + dy * dy) ** 0.5
    if distance > centre - 4:
        return b"\x00\x00\x00\x00"
    if distance > centre - 20:  # a lighter rim
        return bytes((*(min(255, c + 50) for c in colour), 255))
    return bytes((*colour, 255))


@lru_cache(maxsize=len(Status))
def base_image(status: Status) -> bytes:
    """The status's badge image: a disc in the status colour on a transparent background."""
    colour = COLOURS[status]
    rows = b"".join(b"\x00" + b"".join(_pixel(x, y, colour) for x in range(SIZE)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


def bake(png: bytes, assertion_url: str) -> bytes:
    """`png` with an iTXt `openbadges` chunk holding `assertion_url`, placed right before IEND."""
    data = b"openbadges\x00" + b"\x00\x00" + b"\x00" + b"\x00" + assertion_url.encode()
    end = png.rindex(b"IEND") - 4  # the IEND chunk starts with its 4-byte length
    return png[:end] + _chunk(b"iTXt", data) + png[end:]


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk of a PNG, checking each CRC (for tests and verifiers)."""
    if not png.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    found, at = [], len(SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        if crc != zlib.crc32(kind + data):
            raise ValueError(f"bad CRC in {kind!r}")
        found.append((kind, data))
        at += 12 + length
    return found


def baked_url(png: bytes) -> str | None:
    """The URL baked into a PNG's `openbadges` iTXt chunk, if any."""
    for kind, data in chunks(png):
        if kind == b"iTXt" and data.startswith(b"openbadges\x00"):
            return data.split(b"\x00", 5)[-1].decode()
    return None
