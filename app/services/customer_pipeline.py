"""Reading and checking a large customer file in a second process, while this one writes.

A big import (the CLI, `customers.import_file` on a regular file above PIPELINE_BYTES) uses both
cores: a child process (spawned, so it shares nothing with the app and never opens the
database) reads the file (customer_files.records) and checks each record
(customers.parsed_record, the same function the single-process path runs), and sends the results
through a pipe MESSAGE_ROWS at a time, with the bytes read (for the progress bar). A message is
`marshal` data, not pickles, which this process loads several times faster than it would unpickle
CustomerRows; a rejected row travels as its pickled RowResult, and so does a row that gives the
account columns (state, owner_email), which is then written as a small file's row is.

A row that can create a record (an email and a name) travels as the driver's arguments of the two
INSERTs that would create it (CustomerRow.ready): the child builds new_values(row), scores it
(import_scores.Scorer under the program's rules and day, which it is given; the score of a new
record depends on nothing else) and converts it with the same compiled statements
(customer_batches.insert_builders) for a dialect made from this process's dialect name. A created
record is then inserted with those arguments as they are: no value is converted or scored here. If
the row updates a record instead, its given values are read back from the arguments
(customer_batches.unpack). Before the child starts, `sendable_dialect` checks on a probe row that
the child's arguments would equal this process's, that marshal can send them and that they read
back to the row's values; if not (PostgreSQL's driver wraps JSON in objects), every row travels as
plain values (line, external id, email, its profile and signal keys and values, dates as
ordinals) and this process builds the arguments itself, as for a small file.

A pipe holds one message, so the child is at most PIPE_BYTES (about five messages) ahead and
memory stays flat; the slack lets either side stall for a moment (the other engineers' work on
this machine, a commit) without stalling the other. This process does everything that needs the
database or the order of the whole file exactly as before: duplicate keys, batch lookups,
decisions, writes and commits, and the scores of updated records. The encoding is checked (here)
before the child starts.

If the child fails (an exception, or it dies), `rows` raises ImportFailed after the rows it sent;
a FileRefused in the child (the file changed under it) is raised here as it would have been.
"""

import marshal
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy.engine import Dialect, make_url

from app.services.customer_batches import insert_builders, new_values, unpack
from app.services.customer_files import ColumnMap, FileRefused, records
from app.services.customer_rows import CustomerRow
from app.services.import_scores import Scorer
from app.services.readiness import Rules

DATES = ("customer_since", "last_purchase_on", "last_active_on")  # sent as date ordinals

PIPELINE_BYTES = 5 << 20  # files above this are read by a child process (web uploads stay below)
MESSAGE_ROWS = 1000
PIPE_BYTES = 1 << 20  # the pipe's buffer (Linux's F_SETPIPE_SZ; 64 KiB elsewhere or if refused)
F_SETPIPE_SZ = 1031


class ImportFailed(RuntimeError):
    """Reading the file failed in the reading process. `report` (set by customers.import_file) holds
    what the import had committed when it stopped, `committed_line` the last line in it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.report = None
        self.committed_line = 0


def file_path(stream: BinaryIO) -> str | None:
    """The path of a regular file larger than PIPELINE_BYTES that the stream reads, else None."""
    name = getattr(stream, "name", None)
    try:
        if not isinstance(name, str) or not os.path.isfile(name):
            return None
        status, opened = os.stat(name), os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both of the first two
        return None
    if (status.st_dev, status.st_ino) != (opened.st_dev, opened.st_ino):
        return None
    return name if status.st_size > PIPELINE_BYTES else None


def rows(path: str, mapping: ColumnMap, now: datetime, rules: Rules, dialect: Dialect, *,
         progress: Callable[[int], None] | None = None,
         target: Callable | None = None) -> Iterator[tuple[int, object]]:
    """(line, CustomerRow or RowResult) for every record of the file, checked in a child process,
    which also builds the insert arguments of the records the rows would create, for `dialect`
    (this process's database), when it can (see sendable_dialect)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    _widen(receive.fileno())
    args = (path, list(mapping), now, rules, sendable_dialect(dialect, now), send)
    child = context.Process(target=target or _read, args=args,
                            name="customer-import-reader", daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                message = marshal.loads(receive.recv_bytes())  # noqa: S302 - our own child's message
            except EOFError:
                child.join(10)
                raise ImportFailed(f"the process reading the file stopped unexpectedly (exit code "
                                   f"{child.exitcode}); nothing after the last commit was applied.") from None
            kind = message[0]
            if kind == "rows":
                if progress and message[1]:
                    progress(message[1])
                yield from _decoded(message[2])
            elif kind == "done":
                return
            elif kind == "refused":
                raise FileRefused(message[1], message[2])
            else:
                raise ImportFailed(f"reading the file failed: {message[1]}")
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the default buffer: one message ahead


def _encoded(line: int, item, arguments: Callable[[CustomerRow], tuple | None]) -> tuple:
    """One checked record as marshal can send it (see _decoded)."""
    if item.__class__ is not CustomerRow or item.state is not None or item.owner_email is not None:
        return line, pickle.dumps(item)  # a rejection, or a row with account columns (rare: sent whole)
    profile, signals = item.profile, item.signals
    p_keys, p_dates = _shape(tuple(profile))
    s_keys, s_dates = _shape(tuple(signals))
    ready = arguments(item)
    if ready is not None:  # the values travel in the arguments only
        return line, item.external_id, item.email, (p_keys, s_keys), ready
    p_values, s_values = list(profile.values()), list(signals.values())
    for i in p_dates:
        p_values[i] = p_values[i].toordinal()
    for i in s_dates:
        s_values[i] = s_values[i].toordinal()
    return line, item.external_id, item.email, p_keys, p_values, s_keys, s_values


# key set -> (one tuple object of it, which marshal sends once per message; the places of its dates)
_SHAPES: dict[tuple, tuple] = {}


def _shape(keys: tuple) -> tuple[tuple, tuple[int, ...]]:
    shape = _SHAPES.get(keys)
    if shape is None:
        shape = _SHAPES[keys] = (keys, tuple(i for i, key in enumerate(keys) if key in DATES))
    return shape


def _decoded(items: list) -> Iterator[tuple[int, object]]:
    fromordinal = date.fromordinal
    for item in items:
        size = len(item)
        if size == 5:
            line, external_id, email, given, (advocate, signal) = item
            yield line, CustomerRow(external_id, email, None, None, (advocate, signal, given))
            continue
        if size == 2:
            yield item[0], pickle.loads(item[1])  # noqa: S301 - our own child's RowResult
            continue
        line, external_id, email, p_keys, p_values, s_keys, s_values = item
        profile, signals = dict(zip(p_keys, p_values)), dict(zip(s_keys, s_values))
        if "customer_since" in profile:
            profile["customer_since"] = fromordinal(profile["customer_since"])
        if "last_purchase_on" in signals:
            signals["last_purchase_on"] = fromordinal(signals["last_purchase_on"])
        if "last_active_on" in signals:
            signals["last_active_on"] = fromordinal(signals["last_active_on"])
        yield line, CustomerRow(external_id, email, profile, signals)


def _insert_arguments(dialect: str | None, now: datetime,
                      rules: Rules) -> Callable[[CustomerRow], tuple | None]:
    """row -> (advocate arguments, signal arguments) of the record it would create, scored
    (import_scores.Scorer), for a row with an email and a name; None for other rows, and for every
    row when `dialect` is None (see sendable_dialect)."""
    if dialect is None:
        return lambda row: None
    score = Scorer(rules, now.date()).score_and_flag
    advocate, signal = insert_builders(make_url(f"{dialect}://").get_dialect()(), now)

    def arguments(row: CustomerRow) -> tuple | None:
        if not (row.email and "name" in row.profile):
            return None
        values = new_values(row)
        values["readiness_score"], values["eligible"] = score(values)
        return advocate(values), signal(values)
    return arguments


# A row with a value of every kind: sendable_dialect compares the arguments built for it.
PROBE = CustomerRow("CRM-PROBE", "probe@example.test",
                    {"name": "Probe", "company": "Probe Co", "tags": ["a", "b"],
                     "customer_since": date(2020, 1, 2), "nps": 9, "health_score": 80},
                    {"purchase_count": 2, "last_purchase_on": date(2024, 3, 4), "csat": 4.5,
                     "recovered": True, "last_active_on": date(2024, 5, 6)})


def sendable_dialect(dialect: Dialect, now: datetime) -> str | None:
    """The dialect's name for the reading process to build insert arguments with ("sqlite+pysqlite"),
    or None if it should not: when a dialect made from the name alone builds other arguments than
    this process's (an engine option such as a JSON serializer), when they are not plain values
    marshal can send (a driver's wrapper object), or when reading them back here
    (customer_batches.unpack) does not give the row's values."""
    name = f"{dialect.name}+{dialect.driver}"
    values = new_values(PROBE)
    values["readiness_score"], values["eligible"] = 50, True
    here = tuple(build(values) for build in insert_builders(dialect, now, fresh=True))
    there = tuple(build(values) for build in insert_builders(make_url(f"{name}://").get_dialect()(), now,
                                                             fresh=True))
    try:
        marshal.dumps(here)
        row = unpack(CustomerRow(PROBE.external_id, PROBE.email, None, None,
                                 (*here, (tuple(PROBE.profile), tuple(PROBE.signals)))), dialect)
    except ValueError:
        return None
    same = here == there and (row.profile, row.signals) == (PROBE.profile, PROBE.signals)
    return name if same else None


def _send(send, *message) -> None:
    send.send_bytes(marshal.dumps(message))


def _read(path: str, mapping: ColumnMap, now: datetime, rules: Rules, dialect: str | None, send) -> None:
    """The child: read and check every record, send them in order; then "done", or why it stopped."""
    from app.services.customers import parsed_record  # the rules: the single-process path's own

    today, arguments = now.date(), _insert_arguments(dialect, now, rules)
    read = 0

    def count(n: int) -> None:
        nonlocal read
        read += n

    batch: list = []
    try:
        with open(path, "rb") as stream:
            for line, raw in records(stream, mapping, progress=count):
                batch.append(_encoded(line, parsed_record(line, raw, today), arguments))
                if len(batch) >= MESSAGE_ROWS:
                    _send(send, "rows", read, batch)
                    batch, read = [], 0
        _send(send, "rows", read, batch)
        _send(send, "done")
    except FileRefused as refused:
        _send(send, "rows", read, batch)
        _send(send, "refused", refused.message, refused.line)
    except Exception as error:  # noqa: BLE001 - every failure is reported to the importing process
        last = traceback.format_exception_only(error)[-1].strip()
        _send(send, "failed", f"{last} (after line {batch[-1][0]})" if batch else last)
    finally:
        send.close()
