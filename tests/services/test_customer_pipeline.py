"""A big file read and checked in a child process: the same report and database as one process, and
a failure in the child surfaces as ImportFailed with what was committed."""

import json
import marshal
import os
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from app.models import Advocate, CustomerSignal
from app.services import customer_pipeline, customers
from app.services.customer_batches import unpack
from app.services.customer_files import records, strict_mapping
from app.services.customer_pipeline import ImportFailed
from app.services.customer_rows import CustomerRow
from tests.factories import make_advocate, make_staff

HEADER = ("external_id,email,name,company,tags,customer_since,nps,health_score,purchases,last_purchase_on,"
          "csat,recovered,usage_depth,referrals_made,social_mentions,last_active_on")


# Row kind (n % 53) -> (cell index, its value): the mistakes and gaps of a real export.
CHANGES = {1: (6, lambda n, today: "11"),  # NPS out of range
           2: (5, lambda n, today: "2025-13-40"),
           3: (2, lambda n, today: ""),  # a new record without a name
           4: (0, lambda n, today: f"EXT-{n - 1}"),  # the previous row's external id
           5: (1, lambda n, today: f"person{n - 2}@example.com"),  # an earlier row's email
           7: (10, lambda n, today: ""),  # csat not given
           8: (5, lambda n, today: (today + timedelta(days=5)).isoformat()),  # in the future
           11: (1, lambda n, today: "staff@rallypoint.test"),
           12: (2, lambda n, today: '"Quoted, with a comma"')}


def varied_file(path, today, rows=5200):
    """New and stored records, every kind of rejection, duplicates, blank and unreadable lines."""
    day = (today - timedelta(days=400)).isoformat()
    recent = (today - timedelta(days=3)).isoformat()
    out = [HEADER]
    for n in range(rows):
        cells = [f"EXT-{n}", f"person{n}@example.com", f"Person {n}", "Brightlane", "api;sso", day,
                 str(n % 11), str(40 + n % 60), str(n % 7), recent, f"{1 + n % 5}",
                 "yes" if n % 9 == 0 else "no", str(n % 101), str(n % 4), str(n % 3), recent]
        kind = n % 53
        if kind in CHANGES:
            index, value = CHANGES[kind]
            cells[index] = value(n, today)
        elif kind == 6:  # only an email: a new record without a name
            cells = ["", f"person{n}@example.com"] + [""] * 14
        elif kind == 9:
            out.append("")  # a blank line
        elif kind == 10:
            cells.append("extra")  # too many cells
        out.append(",".join(cells))
    out.append("STORED-1,stored1@example.com,Stored One Renamed,,,,10,90,,,,,,,,")
    out.append("STORED-2,,,,,,,,,,,,,,,")  # unchanged
    out.append(",stored3@example.com,,,,,,,,,,,,,,")  # by email, unchanged
    out.append("STORED-3,other@example.com,,,,,,,,,,,,,,")  # external id of one, email of another
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def seed(session):
    make_staff(session, email="staff@rallypoint.test")
    make_advocate(session, email="stored1@example.com", external_id="STORED-1", name="Stored One")
    make_advocate(session, email="stored2@example.com", external_id="STORED-2", name="Stored Two")
    make_advocate(session, email="stored3@example.com", external_id="STORED-3", name="Stored Three")
    make_advocate(session, email="other@example.com", name="Other")
    session.commit()


def state(session):
    session.expire_all()
    advocates = [tuple(r) for r in session.execute(select(Advocate.__table__).order_by(Advocate.id)).all()]
    signals = [tuple(r) for r in session.execute(
        select(CustomerSignal.__table__).order_by(CustomerSignal.advocate_id)).all()]
    return advocates, signals


def summary(report):
    return (report.created, report.updated, report.unchanged, report.rejected_count, report.refused,
            report.rejected, report.results)


def test_the_pipeline_gives_the_same_report_and_database_as_one_process(session, now, tmp_path):
    seed(session)
    path = varied_file(tmp_path / "customers.csv", now.date())
    progress = {True: 0, False: 0}
    outcomes = {}
    for pipeline in (False, True):
        def count(n, pipeline=pipeline):
            progress[pipeline] += n
        with path.open("rb") as stream:
            report = customers.import_file(session, stream=stream, now=now, pipeline=pipeline, keep=None,
                                           keep_results=True, progress=count)
        outcomes[pipeline] = (summary(report), state(session))
        session.rollback()
    single, piped = outcomes[False], outcomes[True]
    created, updated, unchanged, rejected_count = single[0][:4]
    assert created > 4000 and updated >= 1 and unchanged >= 2 and rejected_count > 600
    reasons = {r.reason.split(":")[0].split(" of line")[0] for r in single[0][5]}
    assert {"duplicate", "nps", "customer_since", "a new record needs a name"} <= reasons
    assert any("cells but the header" in r.reason for r in single[0][5])
    same_report, same_database = piped[0] == single[0], piped[1] == single[1]  # (a diff of 5,000 rows
    assert same_report and same_database  # would take pytest minutes to render)
    assert progress[True] == progress[False] == path.stat().st_size


def test_a_file_above_the_threshold_uses_the_pipeline_and_a_small_one_does_not(session, now, tmp_path,
                                                                                monkeypatch):
    path = varied_file(tmp_path / "customers.csv", now.date(), rows=200)
    with path.open("rb") as stream:
        assert customer_pipeline.file_path(stream) is None  # far below 5 MB
        monkeypatch.setattr(customer_pipeline, "PIPELINE_BYTES", 1000)
        assert customer_pipeline.file_path(stream) == str(path)


def _failing_read(path, mapping, now, rules, dialect, send):
    """The child, failing on line 3001 (patched in the child: it shares nothing with the test)."""
    from app.services import customers as child_customers

    checked = child_customers.parsed_record

    def boom(line, raw, today):
        if line > 3000:
            raise RuntimeError("the reader broke")
        return checked(line, raw, today)

    child_customers.parsed_record = boom
    customer_pipeline._read(path, mapping, now, rules, dialect, send)


def _dying_read(path, mapping, now, rules, dialect, send):
    os._exit(3)


@pytest.mark.parametrize("target, message", [(_failing_read, "RuntimeError: the reader broke (after line"),
                                             (_dying_read, "stopped unexpectedly (exit code 3)")])
def test_a_failure_in_the_child_surfaces_with_only_the_committed_batches_applied(
        session, now, tmp_path, monkeypatch, target, message):
    path = tmp_path / "customers.csv"
    path.write_text("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(5000)))
    monkeypatch.setattr(customers, "BATCH", 500)
    monkeypatch.setattr(customers, "COMMIT_EVERY", 1000)
    monkeypatch.setattr(customer_pipeline, "_read", target)
    with path.open("rb") as stream, pytest.raises(ImportFailed) as failed:
        customers.import_file(session, stream=stream, now=now, pipeline=True, commit=session.commit)
    session.rollback()
    assert message in failed.value.message
    stored = session.scalar(select(func.count()).select_from(Advocate))
    assert stored == failed.value.report.created == (2000 if target is _failing_read else 0)
    assert failed.value.committed_line == (2001 if target is _failing_read else 0)


def test_the_cli_reports_a_failed_child_and_what_was_committed(app, tmp_path, monkeypatch):
    path = tmp_path / "customers.csv"
    path.write_text("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(5000)))
    monkeypatch.setattr(customers, "BATCH", 500)
    monkeypatch.setattr(customers, "COMMIT_EVERY", 1000)
    monkeypatch.setattr(customer_pipeline, "PIPELINE_BYTES", 1000)
    monkeypatch.setattr(customer_pipeline, "_read", _failing_read)
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path), "--no-progress"])
    assert result.exit_code == 1
    assert "the import stopped: reading the file failed: RuntimeError: the reader broke" in result.output
    assert "The rows up to line 2,001 were committed (2,000 created, 0 updated, 0 unchanged, 0 rejected)" \
        in result.output


def test_rows_sent_with_their_insert_arguments_read_back_as_they_were_parsed(session, now, tmp_path):
    """The child sends a row that can create a record as its insert arguments only; the values the
    update path needs come back from them (customer_batches.unpack) exactly as parse_row made them."""
    path = varied_file(tmp_path / "customers.csv", now.date(), rows=300)
    mapping = strict_mapping(HEADER.split(","))
    dialect = session.connection().dialect
    name = customer_pipeline.sendable_dialect(dialect, now)
    assert name == "sqlite+pysqlite"  # the suite's engine: the reading process builds the arguments
    arguments = customer_pipeline._insert_arguments(name, now, customers._rules(session))
    parsed, sent = [], []
    with path.open("rb") as stream:
        for line, raw in records(stream, mapping):
            row = customers.parsed_record(line, raw, now.date())
            if isinstance(row, CustomerRow):
                parsed.append(row)
                sent.append(customer_pipeline._encoded(line, row, arguments))
    message = marshal.loads(marshal.dumps(sent))  # noqa: S302 - our own data, as the pipe carries it
    received = [row for _, row in customer_pipeline._decoded(message)]
    assert sum(row.ready is not None for row in received) > 250  # most rows have an email and a name
    assert any(row.ready is None for row in received)  # the rest travel as values
    for before, after in zip(parsed, received, strict=True):
        unpack(after, dialect)
        assert (after.external_id, after.email, after.profile, after.signals) == (
            before.external_id, before.email, before.profile, before.signals)
        assert all(type(after.profile[key]) is type(value) for key, value in before.profile.items())


def test_reimporting_a_big_file_changes_nothing(session, now, tmp_path):
    """Every row of the second import matches the record the first created and is read back from its
    arguments (unpack) to compare: all unchanged, not one write."""
    seed(session)
    path = varied_file(tmp_path / "customers.csv", now.date(), rows=3000)
    with path.open("rb") as stream:
        first = customers.import_file(session, stream=stream, now=now, pipeline=True, commit=session.commit)
    before = state(session)
    with path.open("rb") as stream:
        again = customers.import_file(session, stream=stream, now=now + timedelta(minutes=5), pipeline=True,
                                      commit=session.commit)
    assert first.created > 2000 and (again.created, again.updated) == (0, 0)
    assert again.unchanged == first.created + first.updated + first.unchanged
    assert state(session) == before


def test_the_reading_process_builds_arguments_only_for_a_dialect_that_builds_the_same_ones(session, now):
    assert customer_pipeline.sendable_dialect(session.connection().dialect, now) == "sqlite+pysqlite"
    # An engine option a dialect made from the name alone would not have: the child must not build.
    odd = create_engine("sqlite://", json_serializer=lambda value: json.dumps(value, indent=1)).dialect
    assert customer_pipeline.sendable_dialect(odd, now) is None
    # psycopg's JSON arguments are wrapper objects marshal cannot send.
    assert customer_pipeline.sendable_dialect(make_url("postgresql+psycopg://").get_dialect()(), now) is None
