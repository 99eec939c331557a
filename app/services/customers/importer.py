"""Importing customer records (SPEC §7): upsert by external id, else by email, with a report per row.

One path for every caller, in one process: `import_file` (a CSV stream: the web upload and the
CLI), `import_csv` (a CSV body: the API) and `import_rows` (JSON objects: the API). The file's
encoding is checked first (files.check_encoding), so nothing is written from a file that stops
being UTF-8. Then rows stream through `csv`, each checked whole (rows.parse_row); a row repeating
an earlier row's external id or email is "duplicate of line N". Checked rows are written BATCH at
a time (batches.write_batch) in a SAVEPOINT; if the database refuses a batch, its rows are written
again one by one, each in its own SAVEPOINT. A row is applied whole or rejected with its line and
reasons. New records become `invited` advocates (nothing is sent); blank values leave stored ones
alone; written records are scored by readiness.rate and the tiers are set once at the end. The
caller commits; with `commit` (the CLI) the import commits every COMMIT_EVERY rows, and running
the same file again after an interruption applies the rest.
"""

import csv
import io
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, TextIO

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.services.customers import readiness
from app.services.customers.batches import Context, Outcome, write_batch
from app.services.customers.files import (
    ColumnMap,
    FileRefused,
    Unreadable,
    check_encoding,
    read_header,
    records,
    refuse_bad_mapping,
    strict_mapping,
)
from app.services.customers.keys import Keys
from app.services.customers.rows import CustomerRow, Problem, RowInvalid, parse_row
from app.services.program import settings as settings_service

BATCH = 2000
# Rows between two commits when the caller passes `commit` (the CLI): SQLite's write lock is held this long.
COMMIT_EVERY = 20_000
KEEP_REJECTED = 1000  # rejected rows a file import keeps in its report (all of them go to `rejections`)
CONFLICT = "conflicts with another record saved at the same time; import it again"


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # "created", "updated", "unchanged" or "rejected"
    key: str = ""  # the row's external id or email, as given
    problems: tuple[Problem, ...] = ()  # why it was rejected: each reason and the column it names
    advocate_id: int | None = None

    @property
    def reason(self) -> str:
        return "; ".join(p.message for p in self.problems)


@dataclass
class ImportReport:
    """Counts per outcome, the rejected rows (the first `keep`, or all), and every row if asked."""

    keep: int | None = None
    results: list[RowResult] | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_count: int = 0
    rejected: list[RowResult] = field(default_factory=list)
    refused: bool = False  # the file as a whole was refused: nothing was imported
    scoring_seconds: float = 0.0
    tiering_seconds: float = 0.0

    def add(self, result: RowResult) -> None:
        if result.outcome == "rejected":
            self.rejected_count += 1
            if self.keep is None or len(self.rejected) < self.keep:
                self.rejected.append(result)
        else:
            setattr(self, result.outcome, getattr(self, result.outcome) + 1)
        if self.results is not None:
            self.results.append(result)

    @property
    def more_rejected(self) -> int:
        return self.rejected_count - len(self.rejected)

    def summary(self) -> str:
        return (f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged, "
                f"{self.rejected_count:,} rejected.")


def import_rows(session: Session, *, rows: Iterable[Mapping[str, object]], now: datetime) -> ImportReport:
    """Upsert records given as mappings of column -> value; a row's line is its 1-based position."""
    report = ImportReport(results=[])
    today = now.date()
    _import(session, ((line, parsed_record(line, raw, today)) for line, raw in enumerate(rows, start=1)),
            now, report)
    return report


def import_csv(session: Session, *, data: bytes, now: datetime) -> ImportReport:
    """Upsert the records of a CSV body whose header names the columns exactly (any case and order)."""
    return import_file(session, stream=io.BytesIO(data), now=now, keep=None, keep_results=True)


def import_file(session: Session, *, stream: BinaryIO, now: datetime, mapping: ColumnMap | None = None,
                given: dict[str, str | None] | None = None, progress: Callable[[int], None] | None = None,
                commit: Callable[[], None] | None = None, rejections: TextIO | None = None,
                keep: int | None = KEEP_REJECTED, keep_results: bool = False) -> ImportReport:
    """Upsert the records of a CSV file (a seekable binary stream), read as it streams.

    `mapping` gives each header column's field (None: ignore it), as the web preview chose it;
    without it the header names the fields (rows.COLUMNS, case-insensitive), and `given`
    maps other header names (to a field, or None). A file that is not UTF-8, empty, or whose
    header has an unknown or repeated column or no key column is refused whole at its line.
    `progress` is called with the bytes read; every rejected row is written to `rejections` as CSV."""
    report = ImportReport(keep=keep, results=[] if keep_results else None)
    sink = _Rejections(rejections) if rejections is not None else None
    try:
        check_encoding(stream)
        header, _ = read_header(stream)
        if mapping is None:
            mapping = strict_mapping(header, given=given)
        elif len(mapping) != len(header):
            raise FileRefused("the file's columns changed since the preview; upload it again.")
        refuse_bad_mapping(header, mapping)
        today = now.date()
        checked = ((line, parsed_record(line, raw, today))
                   for line, raw in records(stream, mapping, progress=progress))
        _import(session, checked, now, report, commit=commit, sink=sink)
    except FileRefused as refused:
        report = ImportReport(keep=keep, results=[] if keep_results else None, refused=True)
        report.add(RowResult(refused.line, "rejected", problems=(Problem(refused.message),)))
        if sink:
            sink.write(report.rejected[0])
    return report


class _Rejections:
    def __init__(self, out: TextIO):
        self.writer = csv.writer(out)
        self.writer.writerow(["line", "record", "reason"])

    def write(self, result: RowResult) -> None:
        self.writer.writerow([result.line, _safe_cell(result.key), _safe_cell(result.reason)])


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _import(session: Session, checked_rows: Iterable[tuple[int, CustomerRow | RowResult]], now: datetime,
            report: ImportReport, *, commit: Callable[[], None] | None = None,
            sink: _Rejections | None = None) -> None:
    """Write rows as parsed_record left them (in file order): duplicates, batches, commits, tiers."""
    ctx = Context(now=now, rules=_rules(session), keys=Keys(), clock=time.perf_counter)
    first = ctx.keys.first
    checked: list[tuple[int, CustomerRow]] = []
    refused: list[RowResult] = []
    uncommitted = 0
    for line, row in checked_rows:
        if row.__class__ is RowResult:
            refused.append(row)
        elif duplicate := first(row, line):
            refused.append(RowResult(line, "rejected", key=row.key, problems=(duplicate,)))
        else:
            checked.append((line, row))
        if len(checked) >= BATCH or len(refused) >= BATCH:
            uncommitted += len(checked)
            _flush(session, checked, refused, ctx, report, sink)
            checked, refused = [], []
            if commit and uncommitted >= COMMIT_EVERY:
                commit()
                uncommitted = 0
    _flush(session, checked, refused, ctx, report, sink)
    if report.created or report.updated:
        started = time.perf_counter()
        readiness.assign_tiers(session)
        report.tiering_seconds = time.perf_counter() - started
    report.scoring_seconds = ctx.scoring_seconds
    session.expire_all()


def _rules(session: Session) -> readiness.Rules:
    return readiness.Rules.from_settings(settings_service.load(session).values)


def parsed_record(line: int, raw, today) -> CustomerRow | RowResult:
    """One record checked on its own (the duplicate keys are the importer's): its row or its rejection."""
    if raw.__class__ is not dict:  # a plain dict is the common case: no further checks
        if isinstance(raw, Unreadable):
            return RowResult(line, "rejected", problems=(Problem(raw.reason),))
        if not isinstance(raw, Mapping):
            return RowResult(line, "rejected",
                             problems=(Problem("a record must be an object of column: value"),))
    try:
        row = parse_row(raw, today=today)
    except RowInvalid as invalid:
        return RowResult(line, "rejected", key=_raw_key(raw), problems=tuple(invalid.problems))
    return row


def _raw_key(raw: Mapping) -> str:
    return str(raw.get("external_id") or raw.get("email") or "").strip()[:254]


def _flush(session: Session, checked: list, refused: list[RowResult], ctx: Context, report: ImportReport,
           sink: _Rejections | None) -> None:
    outcomes = _write_safely(session, checked, ctx) if checked else []
    if report.results is None:  # a file: count what was applied, keep only the rejected rows
        counts = Counter(o.outcome for o in outcomes)
        report.created += counts["created"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]
        outcomes = [o for o in outcomes if o.outcome == "rejected"]
    results = [_result(o) for o in outcomes]
    for result in sorted(refused + results, key=lambda r: r.line) if refused else results:
        report.add(result)
        if sink and result.outcome == "rejected":
            sink.write(result)


def _result(outcome: Outcome) -> RowResult:
    problems = (outcome.problem,) if outcome.problem else ()
    return RowResult(outcome.line, outcome.outcome, key=outcome.row.key, problems=problems,
                     advocate_id=outcome.advocate_id)


def _write_safely(session: Session, checked: list[tuple[int, CustomerRow]], ctx: Context) -> list[Outcome]:
    """The batch in one SAVEPOINT; if the database refuses it, each row again in its own."""
    try:
        with session.begin_nested():
            return write_batch(session, checked, ctx)
    except DBAPIError:
        pass
    outcomes = []
    for line, row in checked:
        try:
            with session.begin_nested():
                outcomes.extend(write_batch(session, [(line, row)], ctx))
        except (IntegrityError, DataError) as error:
            reason = CONFLICT if isinstance(error, IntegrityError) else _refusal(error)
            outcomes.append(Outcome(line, row, problem=Problem(reason)))
    return outcomes


def _refusal(error: DBAPIError) -> str:
    first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
    return f"the database refused the row ({first[:160]})"
