"""File evidence: check an upload's size and type, store it under a random name, read it back.

A file is accepted only when its extension is on the allowed list AND its first bytes match
that type (so a renamed executable is refused). It is stored as `<folder>/<token>` where the
token is random hex: the advocate's filename is kept only as display metadata, never as a path.
The caller passes the storage folder in; nothing here knows about Flask.
"""

import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from app.services.errors import NotFound, ValidationFailed

MIMETYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ALLOWED_EXTENSIONS = tuple(MIMETYPES)
TOKEN_BYTES = 16


@dataclass(frozen=True)
class StoredFile:
    token: str
    filename: str
    mimetype: str
    size: int


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith("word/") for name in names)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


SIGNATURES = {
    "pdf": lambda d: d.startswith(b"%PDF-"),
    "png": lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda d: d.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda d: d.startswith(b"\xff\xd8\xff"),
    "gif": lambda d: d[:6] in (b"GIF87a", b"GIF89a"),
    "webp": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
    "txt": _is_text,
    "docx": _is_docx,
}


def clean_filename(filename: str | None) -> str:
    """A display name: the last path part, printable characters only, at most 120 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:110]}.{ext[:8]}" if dot else name[:120]
    return name or "evidence"


def extension_of(filename: str | None) -> str:
    name = clean_filename(filename)
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def validate(data: bytes, filename: str | None, *, max_mb: int) -> tuple[str, str]:
    """(clean filename, mimetype) for an acceptable file; ValidationFailed on field "file" otherwise."""
    ext = extension_of(filename)
    if ext not in MIMETYPES:
        allowed = ", ".join(e.upper() for e in ALLOWED_EXTENSIONS if e != "jpeg")
        raise ValidationFailed(f"That file type is not accepted. Use {allowed}.", field="file")
    if not data:
        raise ValidationFailed("That file is empty.", field="file")
    if len(data) > max_mb * 1024 * 1024:
        raise ValidationFailed(f"That file is too large: the limit is {max_mb} MB.", field="file")
    if not SIGNATURES[ext](data):
        raise ValidationFailed(f"That file does not look like a real .{ext} file.", field="file")
    return clean_filename(filename), MIMETYPES[ext]


def store(folder: str | os.PathLike, data: bytes, filename: str | None, *, max_mb: int) -> StoredFile:
    """Validate, then write the bytes under a new random token. Nothing is written if invalid."""
    name, mimetype = validate(data, filename, max_mb=max_mb)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(TOKEN_BYTES)
    with open(folder / token, "xb") as handle:
        handle.write(data)
    return StoredFile(token, name, mimetype, len(data))


def is_token(token: str | None) -> bool:
    return bool(token) and len(token) == TOKEN_BYTES * 2 and all(c in "0123456789abcdef" for c in token)


def path_for(folder: str | os.PathLike, token: str | None) -> Path:
    """The stored file for a token; NotFound for a malformed token or a missing file."""
    if not is_token(token):
        raise NotFound("No such file.")
    path = Path(folder) / token
    if not path.is_file():
        raise NotFound("No such file.")
    return path


def discard(folder: str | os.PathLike, token: str | None) -> None:
    """Remove a stored file that ended up unused (e.g. the submission it came with was refused)."""
    if is_token(token):
        (Path(folder) / token).unlink(missing_ok=True)
