"""Customer files uploaded for import: kept under an unguessable token until previewed and imported.

An upload is stored as <folder>/<token>.csv beside <token>.json (who uploaded it, the file's name,
when). Only its uploader finds it again, and only for EXPIRY; `sweep` (run on every upload)
deletes expired files. The preview reads the header and the first rows; the import reads the
file as a stream (importer.import_file) with the chosen mapping, writes every rejected row to
<token>.rejected.csv and the report to <token>.report.json, then deletes the uploaded file, so a
repeated confirm finds nothing to import.
"""

import json
import re
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from app.services.customers import importer
from app.services.customers.files import (
    ColumnMap,
    FileRefused,
    check_encoding,
    mapped,
    mapping_problems,
    read_header,
    suggest_mapping,
)
from app.services.customers.rows import RowInvalid, parse_row
from app.services.errors import NotFound

EXPIRY = timedelta(hours=2)
SAMPLES = 5
MAX_COLUMNS = 100
REPORT_ROWS = 200  # rejected rows kept in the report page; all are in the CSV download
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Upload:
    token: str
    folder: Path
    filename: str
    owner: str
    uploaded_at: datetime

    @property
    def path(self) -> Path:
        return self.folder / f"{self.token}.csv"

    @property
    def rejections_path(self) -> Path:
        return self.folder / f"{self.token}.rejected.csv"

    @property
    def report_path(self) -> Path:
        return self.folder / f"{self.token}.report.json"


@dataclass
class Preview:
    header: list[str]
    mapping: ColumnMap
    samples: list[tuple[int, list[str]]]
    problems: dict[int | None, str]  # column index (None: the mapping) -> why it cannot be imported
    row_problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reasons) in the first rows
    warnings: list[str] = field(default_factory=list)

    def column_samples(self, index: int) -> list[str]:
        return [cells[index] for _, cells in self.samples if index < len(cells)]


def store_upload(folder: Path, stream: BinaryIO, *, owner: str, filename: str, now: datetime) -> Upload:
    """Save an uploaded file and check it can be read (FileRefused, and nothing kept, if not)."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder, now)
    name = Path(filename or "customers.csv").name[:120]
    upload = Upload(secrets.token_urlsafe(24), folder, name, owner, now)
    with upload.path.open("wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    try:
        with upload.path.open("rb") as saved:
            check_encoding(saved)
            header, _ = read_header(saved)
        if len(header) > MAX_COLUMNS:
            raise FileRefused(f"the file has {len(header)} columns; at most {MAX_COLUMNS} can be mapped.")
    except FileRefused:
        upload.path.unlink(missing_ok=True)
        raise
    (folder / f"{upload.token}.json").write_text(json.dumps(
        {"filename": upload.filename, "owner": owner, "uploaded_at": now.isoformat()}))
    return upload


def find_upload(folder: Path, token: str, *, owner: str, now: datetime) -> Upload:
    """The caller's own upload under this token; NotFound if unknown, someone else's or expired."""
    meta_path = folder / f"{token}.json"
    if not _TOKEN.match(token) or not meta_path.exists():
        raise NotFound("This upload is no longer here: it expired or was never made. Upload the file again.")
    meta = json.loads(meta_path.read_text())
    uploaded_at = datetime.fromisoformat(meta["uploaded_at"])
    if meta["owner"] != owner or now - uploaded_at > EXPIRY:
        raise NotFound("This upload is no longer here: it expired or was never made. Upload the file again.")
    return Upload(token, folder, meta["filename"], meta["owner"], uploaded_at)


def sweep(folder: Path, now: datetime) -> int:
    """Delete every upload (and its report files) older than EXPIRY; how many uploads went."""
    gone = 0
    for meta_path in folder.glob("*.json"):
        token = meta_path.name.split(".")[0]
        if not _TOKEN.match(token) or meta_path.name != f"{token}.json":
            continue
        try:
            uploaded_at = datetime.fromisoformat(json.loads(meta_path.read_text())["uploaded_at"])
        except (ValueError, KeyError, OSError):
            uploaded_at = datetime.min
        if now - uploaded_at > EXPIRY:
            for path in folder.glob(f"{token}.*"):
                path.unlink(missing_ok=True)
            gone += 1
    return gone


def preview(upload: Upload, *, mapping: ColumnMap | None, today: date) -> Preview:
    """The header, the first rows and what stands in the way of importing them with `mapping`
    (the suggested one when None); NotFound once the file was imported."""
    if not upload.path.exists():
        raise NotFound("This upload was imported already; upload the file again to import it again.")
    with upload.path.open("rb") as stream:
        header, samples = read_header(stream, samples=SAMPLES)
    mapping = suggest_mapping(header) if mapping is None else mapping
    result = Preview(header, mapping, samples, mapping_problems(header, mapping))
    for line, cells in samples if not result.problems else ():  # rows read sensibly once the mapping does
        try:
            parse_row(mapped(mapping, cells), today=today)
        except RowInvalid as invalid:
            result.row_problems.append((line, invalid.args[0]))
    if "name" not in mapping:
        result.warnings.append("No column is imported as name: a row for a customer who is not stored yet "
                               "will be rejected (a new record needs a name); stored customers still update.")
    if "email" not in mapping:
        result.warnings.append("No column is imported as email: only customers already stored with their "
                               "external_id can be updated.")
    return result


def run_import(session: Session, upload: Upload, *, mapping: ColumnMap, now: datetime) -> dict:
    """Import the uploaded file with `mapping` (the caller commits, then calls `finish`); the report
    as a dict, every rejected row written to the upload's rejections file."""
    if not upload.path.exists():
        raise NotFound("This upload was imported already; upload the file again to import it again.")
    rejections = upload.rejections_path.open("w", newline="", encoding="utf-8")
    with upload.path.open("rb") as stream, rejections as out:
        report = importer.import_file(session, stream=stream, now=now, mapping=mapping, rejections=out,
                                       keep=REPORT_ROWS)
    summary = {"filename": upload.filename, "created": report.created, "updated": report.updated,
               "unchanged": report.unchanged, "rejected_count": report.rejected_count,
               "refused": report.refused,
               "rejected": [{"line": r.line, "key": r.key, "reason": r.reason} for r in report.rejected]}
    return summary


def finish(upload: Upload, summary: dict) -> None:
    """After the import's commit: keep its report; the uploaded file goes (the report and the
    rejected rows stay until the upload expires)."""
    upload.report_path.write_text(json.dumps(summary))
    upload.path.unlink(missing_ok=True)


def saved_report(upload: Upload) -> dict:
    if not upload.report_path.exists():
        raise NotFound("This file has not been imported yet.")
    return json.loads(upload.report_path.read_text())

