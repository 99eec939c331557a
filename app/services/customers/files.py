"""Reading a customer CSV file as a stream: its encoding, its header, a column mapping, its records.

A file is never read whole. `check_encoding` scans the bytes once, a chunk at a time, before
anything is written: UTF-8 (with or without a BOM) passes; UTF-16, bytes that are not UTF-8
(Latin-1, Windows-1252), NUL bytes or a spreadsheet workbook are one FileRefused naming the
problem and the line where it was found. `records` then parses with the `csv` module over a text
stream wrapped around the same binary stream, yielding one record at a time.

A mapping is one entry per header column: the field it fills (rows.COLUMNS) or None to
ignore the column. `strict_mapping` (the API, and the CLI without options) takes header names as
they are, case and padding aside, and refuses an unknown one; `suggest_mapping` (the web preview)
also knows common aliases ("E-mail", "Customer ID") and leaves what it cannot place ignored.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from app.services.customers.rows import COLUMNS

CHUNK = 1 << 20  # bytes per read while checking the encoding and while parsing
FIELD_LIMIT = 1 << 20  # one CSV cell may hold up to 1 MiB (the csv module's default is 128 KiB)
KEY_FIELDS = ("external_id", "email")

# Header spellings seen in CRM exports -> field (compared after `_plain`: lower case, words joined by _).
ALIASES = {
    "external_id": ("customer_id", "crm_id", "id", "account_id", "contact_id", "record_id", "external_key"),
    "email": ("e_mail", "email_address", "e_mail_address", "mail", "contact_email"),
    "name": ("full_name", "contact_name", "contact", "customer_name", "person"),
    "company": ("company_name", "account", "account_name", "organisation", "organization", "org"),
    "title": ("job_title", "position"),
    "industry": ("sector", "vertical"),
    "company_size": ("size", "employees", "headcount", "employee_count"),
    "region": ("territory", "geo", "area"),
    "tags": ("labels", "segments"),
    "customer_since": ("customer_start", "start_date", "since", "signup_date", "first_purchase_on"),
    "nps": ("nps_score", "net_promoter_score"),
    "health_score": ("health", "customer_health", "health_index"),
    "purchases": ("purchase_count", "orders", "order_count", "renewals"),
    "last_purchase_on": ("last_purchase", "last_purchase_date", "last_order_date", "last_renewal"),
    "csat": ("csat_score", "satisfaction", "support_csat"),
    "recovered": ("recovered_customer", "recovery"),
    "usage_depth": ("usage", "product_usage", "usage_score"),
    "referrals_made": ("referrals", "referral_count"),
    "social_mentions": ("mentions", "social"),
    "last_active_on": ("last_active", "last_seen", "last_login", "last_used_on", "last_activity"),
    "state": ("advocate_state", "program_state", "membership"),
    "owner_email": ("owner", "csm_email", "csm", "account_owner", "owner_e_mail"),
}
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in (name, *aliases)}

ColumnMap = list[str | None]  # per header column: the field it fills, or None (ignored)


class FileRefused(Exception):
    """The whole file is refused before anything is written: the reason, and the line it names."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message, self.line = message, line


@dataclass(frozen=True)
class Unreadable:
    """A CSV record that could not be turned into values, and why."""

    reason: str


def _plain(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def check_encoding(stream: BinaryIO) -> None:
    """Scan the whole stream for text that is not UTF-8; FileRefused with its line. Rewinds it."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise FileRefused("the file is UTF-16 text, not UTF-8; save it as “CSV UTF-8”. Nothing was imported.")
    if head == b"PK\x03\x04":
        raise FileRefused("the file is a spreadsheet workbook (.xlsx), not CSV; save it as “CSV UTF-8”. "
                          "Nothing was imported.")
    line, carry = 1, b""
    while chunk := stream.read(CHUNK):
        data = carry + chunk
        carry = _check_chunk(data, line, final=False)
        line += data.count(b"\n", 0, len(data) - len(carry))
    _check_chunk(carry, line, final=True)
    stream.seek(0)


def _check_chunk(data: bytes, line: int, *, final: bool) -> bytes:
    """Check one piece of the file; returns the bytes of a character cut off at its end."""
    nul = data.find(b"\x00")
    try:
        data.decode("utf-8")
        bad = None
    except UnicodeDecodeError as error:
        cut = not final and error.reason == "unexpected end of data" and error.start >= len(data) - 3
        if cut and (nul == -1 or nul >= error.start):
            return data[error.start:]
        bad = error.start
    if nul != -1:  # a NUL anywhere in the piece: binary, whatever else is wrong with it
        at = line + data.count(b"\n", 0, nul)
        raise FileRefused(f"line {at} holds a NUL byte: this is a binary file (or UTF-16 text), not CSV "
                          "UTF-8. Nothing was imported.", at)
    if bad is not None:
        at = line + data.count(b"\n", 0, bad)
        raise FileRefused(f"line {at} is not UTF-8 text (byte 0x{data[bad]:02X}); the file looks like "
                          "Latin-1 or Windows-1252: save it as “CSV UTF-8”. Nothing was imported.", at)
    return b""


class _Counting(io.RawIOBase):
    """A binary stream that reports how many bytes were read, for a progress bar."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None):
        self.raw, self.progress = raw, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        if self.progress and data:
            self.progress(len(data))
        return len(data)


def _reader(stream: BinaryIO, progress: Callable[[int], None] | None = None):
    stream.seek(0)
    buffered = io.BufferedReader(_Counting(stream, progress), buffer_size=CHUNK)
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
    csv.field_size_limit(FIELD_LIMIT)
    return csv.reader(text)


def read_header(stream: BinaryIO, *, samples: int = 0) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's column names as written, and up to `samples` (line, cells) that follow it."""
    reader = _reader(stream)
    try:
        header = next(reader, None)
        rows = []
        while len(rows) < samples and (cells := next(reader, None)) is not None:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as problem:
        raise FileRefused(f"the file could not be read as CSV ({problem}). Nothing was imported.") from None
    finally:
        stream.seek(0)
    if header is None or not any(name.strip() for name in header):
        raise FileRefused("the file is empty: the first line must name the columns. Nothing was imported.")
    return [name.strip() for name in header], rows


def strict_mapping(header: Sequence[str], *, given: dict[str, str | None] | None = None) -> ColumnMap:
    """Columns by their exact names (case and padding aside), or as `given` maps a header name
    (to a field, or None to ignore it). FileRefused names the columns left unknown."""
    given = {name.strip().lower(): field for name, field in (given or {}).items()}
    mapping, unknown = [], []
    for name in header:
        key = name.strip().lower()
        if key in given:
            mapping.append(given[key])
        elif key in COLUMNS:
            mapping.append(key)
        else:
            mapping.append(None)
            unknown.append(name)
    if unknown:
        raise FileRefused(f"unknown column {', '.join(repr(n) for n in unknown)}; the columns are "
                          f"{', '.join(COLUMNS)}. Nothing was imported.")
    return mapping


def suggest_mapping(header: Sequence[str]) -> ColumnMap:
    """Each column's field by name or alias; a field already taken by an earlier column is left out."""
    mapping, taken = [], set()
    for name in header:
        field = _BY_ALIAS.get(_plain(name))
        mapping.append(None if field in taken else field)
        taken.add(field)
    return mapping


def mapping_problems(header: Sequence[str], mapping: ColumnMap) -> dict[int | None, str]:
    """Why a mapping cannot be imported: column index -> message (None: the mapping as a whole)."""
    problems: dict[int | None, str] = {}
    for index, field in enumerate(mapping):
        if field is not None and field not in COLUMNS:
            problems[index] = f"{field!r} is not a field; the fields are {', '.join(COLUMNS)}."
        elif field is not None and mapping.index(field) != index:
            first = mapping.index(field)
            same = header[first].strip().lower() == header[index].strip().lower()
            problems[first] = problems[index] = (
                f"column {header[first].strip()!r} appears twice." if same else
                f"{field} is chosen for both “{header[first]}” and “{header[index]}”; choose it once.")
    if not any(field in KEY_FIELDS for field in mapping):
        problems[None] = "the file needs an email or an external_id column: they say which record a row is."
    return problems


def refuse_bad_mapping(header: Sequence[str], mapping: ColumnMap) -> None:
    problems = mapping_problems(header, mapping)
    if problems:
        raise FileRefused(" ".join(dict.fromkeys(problems.values())) + " Nothing was imported.")


def mapped(mapping: ColumnMap, cells: Sequence[str]) -> dict[str, str]:
    return {field: cell for field, cell in zip(mapping, cells) if field is not None}


def records(stream: BinaryIO, mapping: ColumnMap, *,
            progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict | Unreadable]]:
    """(line, field -> text) per data record after the header, or (line, Unreadable); blank lines skipped.

    A record's line is the file line where it starts. Call check_encoding first: a decoding error
    here is raised as FileRefused."""
    reader = _reader(stream, progress)
    width = len(mapping)
    every = None not in mapping  # no ignored column: a plain zip
    try:
        next(reader, None)
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as problem:
                yield line, Unreadable(f"the line could not be read as CSV ({problem})")
                line = reader.line_num + 1
                continue
            if len(cells) > width:
                yield line, Unreadable(f"{len(cells)} cells but the header has {width} columns")
            elif any(cells) and any(c.strip() for c in cells):
                yield line, dict(zip(mapping, cells)) if every else mapped(mapping, cells)
            line = reader.line_num + 1
    except UnicodeDecodeError as error:
        raise FileRefused(f"the file stopped being UTF-8 text after line {line - 1} ({error.reason}).",
                          line) from None
