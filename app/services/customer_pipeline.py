"""Reading and checking a large customer file in a second process, while this one writes.

A big import (the CLI, `customers.import_file` on a regular file above PIPELINE_BYTES) uses both
cores: a child process (spawned, so it shares nothing with the app and never opens the
database) reads the file (customer_files.records) and checks each record
(customers.parsed_record, the same function the single-process path runs), and sends the results
through a pipe MESSAGE_ROWS at a time, with the bytes read (for the progress bar). A message is
`marshal` data, not pickles: a checked row travels as plain values (line, external id, email, its
profile and signal keys and values, dates as ordinals), which this process loads several times
faster than it would unpickle a CustomerRow (pickling the objects cost it nearly half of what the
child saved it); a rejected row travels as its pickled RowResult. A pipe holds one message, so
the child is at most PIPE_BYTES (about five messages) ahead and memory stays flat; the
slack lets either side stall for a moment (the other engineers' work on this machine, a commit)
without stalling the other. This process does everything that needs
the database or the order of the whole file exactly as before: duplicate keys, batch lookups,
decisions, writes and commits, and the scores of updated records. The child also scores each row
as the record it would create (customer_batches.new_values, import_scores.Scorer under the
program's rules and day, which it is given): the score depends on nothing else, and a created
record takes it instead of being scored here (CustomerRow.new_score). The encoding is checked
(here) before the child starts.

If the child fails (an exception, or it dies), `rows` raises ImportFailed after the rows it sent;
a FileRefused in the child (the file changed under it) is raised here as it would have been.
"""

import marshal
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from typing import BinaryIO

from app.services.customer_batches import new_values
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


def rows(path: str, mapping: ColumnMap, today: date, rules: Rules, *,
         progress: Callable[[int], None] | None = None,
         target: Callable | None = None) -> Iterator[tuple[int, object]]:
    """(line, CustomerRow or RowResult) for every record of the file, checked in a child process."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    _widen(receive.fileno())
    child = context.Process(target=target or _read, args=(path, list(mapping), today, rules, send),
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


def _encoded(line: int, item, score) -> tuple:
    """One checked record as marshal can send it (see _decoded), scored as a new record."""
    if item.__class__ is not CustomerRow:
        return line, pickle.dumps(item)
    new_score, eligible = score(new_values(item))
    profile, signals = item.profile, item.signals
    p_keys, p_dates = _shape(tuple(profile))
    s_keys, s_dates = _shape(tuple(signals))
    p_values, s_values = list(profile.values()), list(signals.values())
    for i in p_dates:
        p_values[i] = p_values[i].toordinal()
    for i in s_dates:
        s_values[i] = s_values[i].toordinal()
    return line, item.external_id, item.email, p_keys, p_values, s_keys, s_values, new_score, eligible


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
        if len(item) == 2:
            yield item[0], pickle.loads(item[1])  # noqa: S301 - our own child's RowResult
            continue
        line, external_id, email, p_keys, p_values, s_keys, s_values, score, eligible = item
        profile, signals = dict(zip(p_keys, p_values)), dict(zip(s_keys, s_values))
        if "customer_since" in profile:
            profile["customer_since"] = fromordinal(profile["customer_since"])
        if "last_purchase_on" in signals:
            signals["last_purchase_on"] = fromordinal(signals["last_purchase_on"])
        if "last_active_on" in signals:
            signals["last_active_on"] = fromordinal(signals["last_active_on"])
        yield line, CustomerRow(external_id, email, profile, signals, (score, eligible))


def _send(send, *message) -> None:
    send.send_bytes(marshal.dumps(message))


def _read(path: str, mapping: ColumnMap, today: date, rules: Rules, send) -> None:
    """The child: read and check every record, send them in order; then "done", or why it stopped."""
    from app.services.customers import parsed_record  # the rules: the single-process path's own

    score = Scorer(rules, today).score_and_flag
    read = 0

    def count(n: int) -> None:
        nonlocal read
        read += n

    batch: list = []
    try:
        with open(path, "rb") as stream:
            for line, raw in records(stream, mapping, progress=count):
                batch.append(_encoded(line, parsed_record(line, raw, today), score))
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
