"""Importing customer records (SPEC §7): upsert by external id, else by email, with a report per row.

`import_csv` (a file's bytes or text) and `import_rows` (a list of dicts, as the JSON API sends)
share one path: every row is parsed and checked whole (customer_rows.parse_row) before anything
is written, then written inside its own SAVEPOINT, so a row is either applied completely or
rejected with its line number and reason while the rows around it still apply.

New records become `invited` advocates without an invitation: nothing is sent; marketing invites
them later (from the qualified list). Existing records get the given profile fields and signals;
blank values leave stored ones alone. The caller (view, CLI, API) commits.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, CustomerSignal, StaffUser, Status
from app.services.customer_rows import COLUMNS, CustomerRow, Problem, RowInvalid, parse_row

__all__ = ["COLUMNS", "ImportReport", "Problem", "RowResult", "import_csv", "import_rows"]


class RowRejected(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.problem = Problem(message, field)


@dataclass(frozen=True)
class Unreadable:
    """A CSV line that could not be turned into a record, and why."""

    reason: str


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # "created", "updated" or "rejected"
    key: str = ""  # the row's external id or email, as given
    problems: tuple[Problem, ...] = ()  # why it was rejected: each reason and the column it names
    advocate_id: int | None = None

    @property
    def reason(self) -> str:
        return "; ".join(p.message for p in self.problems)


@dataclass
class ImportReport:
    results: list[RowResult] = field(default_factory=list)

    def _count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.results if r.outcome == "rejected"]

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {len(self.rejected)} rejected."


def import_rows(session: Session, *, rows: Iterable[Mapping[str, object]], now: datetime) -> ImportReport:
    """Upsert records given as mappings of column -> value; a row's line is its 1-based position."""
    return _import(session, enumerate(rows, start=1), now)


def import_csv(session: Session, *, data: bytes | str, now: datetime) -> ImportReport:
    """Upsert the records of a CSV file (UTF-8, with or without a BOM; any line endings).

    The header names the columns (customer_rows.COLUMNS, any order, case-insensitive). A file
    with an unknown, repeated or missing key column is refused whole, reported at line 1."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError:
        return _refused("the file is not UTF-8 text; save it as CSV UTF-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as problem:
        return _refused(f"the header could not be read ({problem})")
    problem = _header_problem(header)
    if problem:
        return _refused(problem)
    return _import(session, _records(reader, header), now)


def _header_problem(header: list[str]) -> str | None:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        return (f"unknown column {', '.join(repr(n) for n in unknown)}; the columns are "
                f"{', '.join(COLUMNS)}. Nothing was imported.")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        return f"column {', '.join(repr(n) for n in repeated)} appears twice. Nothing was imported."
    if "email" not in header and "external_id" not in header:
        return "the header needs an email or an external_id column. Nothing was imported."
    return None


def _refused(reason: str) -> ImportReport:
    return ImportReport([RowResult(line=1, outcome="rejected", problems=(Problem(reason),))])


def _records(reader, header: list[str]) -> Iterator[tuple[int, Mapping[str, object] | Unreadable]]:
    """(line, values) per CSV record, or (line, problem); a record's line is where it starts."""
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
        if any(cell.strip() for cell in cells):
            if len(cells) > len(header):
                yield line, Unreadable(f"{len(cells)} cells but the header has {len(header)} columns")
            else:
                yield line, dict(zip(header, cells))
        line = reader.line_num + 1


def _import(session: Session, numbered: Iterable[tuple[int, object]], now: datetime) -> ImportReport:
    report = ImportReport()
    for line, raw in numbered:
        report.results.append(_import_one(session, line, raw, now))
    return report


def _import_one(session: Session, line: int, raw, now: datetime) -> RowResult:
    if isinstance(raw, Unreadable):
        return RowResult(line, "rejected", problems=(Problem(raw.reason),))
    if not isinstance(raw, Mapping):
        return RowResult(line, "rejected", problems=(Problem("a record must be an object of column: value"),))
    try:
        row = parse_row(raw, today=now.date())
    except RowInvalid as invalid:
        return RowResult(line, "rejected", key=_raw_key(raw), problems=tuple(invalid.problems))
    try:
        with session.begin_nested():
            advocate, created = _write(session, row, now)
    except RowRejected as rejected:
        return RowResult(line, "rejected", key=row.key, problems=(rejected.problem,))
    except IntegrityError:
        return RowResult(line, "rejected", key=row.key, problems=(
            Problem("conflicts with another record saved at the same time; import it again"),))
    return RowResult(line, "created" if created else "updated", key=row.key, advocate_id=advocate.id)


def _raw_key(raw: Mapping) -> str:
    return str(raw.get("external_id") or raw.get("email") or "").strip()[:254]


def _write(session: Session, row: CustomerRow, now: datetime) -> tuple[Advocate, bool]:
    advocate = _match(session, row)
    created = advocate is None
    if created:
        advocate = _new_advocate(session, row, now)
    elif row.email and row.email != advocate.email:
        _check_free_email(session, row.email)
        advocate.email = row.email
    if row.external_id:
        advocate.external_id = row.external_id
    for name, value in row.profile.items():
        setattr(advocate, name, value)
    session.flush()
    signal = session.get(CustomerSignal, advocate.id)
    if signal is None:
        signal = CustomerSignal(advocate_id=advocate.id)
        session.add(signal)
    for name, value in row.signals.items():
        setattr(signal, name, value)
    signal.updated_at = now
    session.flush()
    return advocate, created


def _match(session: Session, row: CustomerRow) -> Advocate | None:
    """The record a row updates: by external id, else by email; RowRejected if they disagree."""
    by_id = row.external_id and session.scalars(
        select(Advocate).where(Advocate.external_id == row.external_id)).first()
    by_email = row.email and session.scalars(select(Advocate).where(Advocate.email == row.email)).first()
    if by_id:
        if by_email and by_email.id != by_id.id:
            raise RowRejected(f"email {row.email} belongs to another customer record", "email")
        return by_id
    if by_email and row.external_id and by_email.external_id:
        raise RowRejected(f"email {row.email} belongs to the record with external_id {by_email.external_id}",
                          "email")
    return by_email or None


def _new_advocate(session: Session, row: CustomerRow, now: datetime) -> Advocate:
    if not row.email:
        raise RowRejected(f"no record has external_id {row.external_id}; a new record needs an email",
                          "email")
    if not row.profile.get("name"):
        raise RowRejected("a new record needs a name", "name")
    _check_free_email(session, row.email)
    advocate = Advocate(email=row.email, state=AdvocateState.INVITED, status=Status.BRONZE, status_since=now,
                        created_at=now, tags=[])
    session.add(advocate)
    return advocate


def _check_free_email(session: Session, email: str) -> None:
    if session.scalars(select(StaffUser.id).where(StaffUser.email == email)).first() is not None:
        raise RowRejected(f"email {email} belongs to a staff account", "email")
    if session.scalars(select(Advocate.id).where(Advocate.email == email)).first() is not None:
        raise RowRejected(f"email {email} belongs to another customer record", "email")
