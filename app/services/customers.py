"""Importing customer records (SPEC §7): upsert by external id, else by email, with a report per row.

`import_file` (a CSV file as a binary stream: the web upload and the CLI), `import_csv` (a CSV
body's bytes: the API) and `import_rows` (a list of dicts: the JSON API) share one path. Each row
is parsed and checked whole (customer_rows.parse_row); a row whose external id or email an
earlier row of the same import already had is rejected as "duplicate of line N", so one import
never applies two rows to one customer. Checked rows are written BATCH at a time
(customer_batches.write_batch) inside a SAVEPOINT; if the database refuses a batch, its rows are
written again one by one, each in its own SAVEPOINT, so one bad row never takes its neighbours
down. A row is applied completely or rejected with its line and reason.

A file is checked for its encoding before anything is written (customer_files.check_encoding),
so a file that stops being UTF-8 deep inside writes nothing. New records become `invited`
advocates without an invitation: nothing is sent. Blank values leave stored ones alone; a row
equal to what is stored is "unchanged" and writes nothing. Written records get their readiness
score and eligibility at once, and the tiers are set once at the end. The caller commits; with
`commit` (the CLI) a long file is committed as it goes, so SQLite's write lock is held for
COMMIT_EVERY rows at a time (about a second). If such an import is interrupted, the rows up to
the last commit stay applied and running the same file again applies the rest (the applied
rows come back unchanged).
"""

import csv
import gc
import io
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, TextIO

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.services import readiness
from app.services import settings as settings_service
from app.services.customer_batches import Context, Keys, Outcome, write_batch
from app.services.customer_files import (
    ColumnMap,
    FileRefused,
    Unreadable,
    check_encoding,
    read_header,
    records,
    refuse_bad_mapping,
    strict_mapping,
)
from app.services.customer_pipeline import ImportFailed, file_path
from app.services.customer_pipeline import rows as pipeline_rows
from app.services.customer_rows import COLUMNS, CustomerRow, Problem, RowInvalid, parse_row
from app.services.import_scores import Scorer

__all__ = ["COLUMNS", "ImportFailed", "ImportReport", "Problem", "RowResult", "import_csv", "import_file",
           "import_rows"]

BATCH = 2000
# Rows between two commits when the caller passes `commit` (the CLI): about a second of SQLite's write lock
# at the measured 20,000 rows a second; each commit copies the index pages its rows touched to the WAL.
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
    return import_file(session, stream=io.BytesIO(data), now=now, keep=None, keep_results=True,
                       pipeline=False)


def import_file(session: Session, *, stream: BinaryIO, now: datetime, mapping: ColumnMap | None = None,
                given: dict[str, str | None] | None = None, progress: Callable[[int], None] | None = None,
                commit: Callable[[], None] | None = None, rejections: TextIO | None = None,
                keep: int | None = KEEP_REJECTED, keep_results: bool = False,
                pipeline: bool | None = None) -> ImportReport:
    """Upsert the records of a CSV file (a seekable binary stream), read as it streams.

    `mapping` gives each header column's field (None: ignore it), as the web preview chose it;
    without it the header names the fields (customer_rows.COLUMNS, case-insensitive), and `given`
    maps other header names (to a field, or None). A file that is not UTF-8, empty, or whose
    header has an unknown or repeated column or no key column is refused whole at its line.
    `progress` is called with the bytes read; every rejected row is written to `rejections` as CSV.

    A regular file above customer_pipeline.PIPELINE_BYTES is read and checked in a child process
    while this one writes (`pipeline` None: by size; False: never; True: whenever the stream is a
    named file); the report is the same either way. ImportFailed if that child fails, carrying
    the report of what was committed."""
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
        path = _pipeline_path(stream, pipeline)
        if path:
            checked = pipeline_rows(path, mapping, now, _rules(session), session.connection().dialect,
                                    progress=progress)
        else:
            checked = ((line, parsed_record(line, raw, today))
                       for line, raw in records(stream, mapping, progress=progress))
        try:
            _import(session, checked, now, report, commit=commit, sink=sink)
        finally:
            checked.close()  # a reading child stops now, even if the import failed here
    except FileRefused as refused:
        report = ImportReport(keep=keep, results=[] if keep_results else None, refused=True)
        report.add(RowResult(refused.line, "rejected", problems=(Problem(refused.message),)))
        if sink:
            sink.write(report.rejected[0])
    return report


def _pipeline_path(stream: BinaryIO, pipeline: bool | None) -> str | None:
    if pipeline is False:
        return None
    if pipeline is None:
        return file_path(stream)
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and os.path.isfile(name) else None


class _Rejections:
    def __init__(self, out: TextIO):
        self.writer = csv.writer(out)
        self.writer.writerow(["line", "record", "reason"])

    def write(self, result: RowResult) -> None:
        self.writer.writerow([result.line, _safe_cell(result.key), _safe_cell(result.reason)])


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


_gc_lock = threading.Lock()
_importing = 0  # imports running in this process
_threshold = gc.get_threshold()


@contextmanager
def _collecting_less():
    """Fewer garbage collections while rows are imported.

    Every row of a batch lives until the batch is written, so Python's collector promotes them
    and then runs full collections over the whole process heap (the app, SQLAlchemy) again and
    again: a fifth of the import's time at 300,000 rows. Freezing what exists beforehand keeps
    full collections off it, and a higher first threshold makes the young collections rarer;
    both are undone when the last import running in the process ends (the collector is the
    process's, so concurrent imports share one setting). Nothing here makes reference cycles."""
    global _importing, _threshold
    with _gc_lock:
        if _importing == 0:
            _threshold = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(_threshold[0], 50_000), *_threshold[1:])
        _importing += 1
    try:
        yield
    finally:
        with _gc_lock:
            _importing -= 1
            if _importing == 0:
                gc.set_threshold(*_threshold)
                gc.unfreeze()


def _import(session: Session, checked_rows: Iterable[tuple[int, CustomerRow | RowResult]], now: datetime,
            report: ImportReport, *, commit: Callable[[], None] | None = None,
            sink: _Rejections | None = None) -> None:
    with _collecting_less():
        _import_rows(session, checked_rows, now, report, commit=commit, sink=sink)


def _import_rows(session: Session, checked_rows: Iterable[tuple[int, CustomerRow | RowResult]], now: datetime,
                 report: ImportReport, *, commit: Callable[[], None] | None,
                 sink: _Rejections | None) -> None:
    """Write rows as parsed_record left them (in file order): duplicates, batches, commits, tiers."""
    ctx = Context(now=now, scorer=Scorer(_rules(session), now.date()), keys=Keys(), clock=time.perf_counter)
    first = ctx.keys.first
    checked: list[tuple[int, CustomerRow]] = []
    refused: list[RowResult] = []
    uncommitted = 0
    committed = (0, ImportReport())
    try:
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
                    committed = (line, _counts(report))
    except ImportFailed as failed:
        failed.committed_line, failed.report = committed if commit else (0, ImportReport())
        raise
    _flush(session, checked, refused, ctx, report, sink)
    if report.created or report.updated:
        started = time.perf_counter()
        readiness.assign_tiers(session)
        report.tiering_seconds = time.perf_counter() - started
    report.scoring_seconds = ctx.scoring_seconds
    session.expire_all()


def _rules(session: Session) -> readiness.Rules:
    return readiness.Rules.from_settings(settings_service.load(session).values)


def _counts(report: ImportReport) -> ImportReport:
    return ImportReport(keep=0, created=report.created, updated=report.updated, unchanged=report.unchanged,
                        rejected_count=report.rejected_count)


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
