"""Importing a customer file as a stream: encodings, header and mapping, duplicates, batches, re-imports."""

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from app.models import Advocate, CustomerSignal
from app.services import customers
from app.services.customers import batches, files, importer, readiness
from app.services.customers.keys import Keys, LineTable
from app.services.customers.rows import CustomerRow
from tests.conftest import migrate_database
from tests.factories import make_advocate, make_staff

HEADER = "external_id,email,name,nps,health_score,customer_since,purchases,last_active_on"


def run(session, now, data: bytes, **options):
    return customers.import_file(session, stream=io.BytesIO(data), now=now, **options)


def lines(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def stored(session):
    return session.scalar(select(func.count()).select_from(Advocate))


def snapshot(session):
    """Every advocate and signal row as plain tuples, to prove a refused import changed nothing."""
    session.expire_all()
    advocates = [tuple(r) for r in session.execute(select(Advocate.__table__)).all()]
    signals = [tuple(r) for r in session.execute(select(CustomerSignal.__table__)).all()]
    return advocates, signals


def refused(report):
    assert report.refused and report.rejected_count == 1 and not (report.created or report.updated)
    return report.rejected[0]


# Encodings and unreadable files: refused whole, before anything is written.

def test_utf8_with_a_bom_and_crlf_imports(session, now):
    report = run(session, now, "\ufeffemail,name\r\nzoë@example.com,Zoë Ünal\r\n".encode())
    assert (report.created, report.rejected_count) == (1, 0)
    assert session.scalars(select(Advocate.name)).one() == "Zoë Ünal"


def test_latin1_bytes_deep_in_a_file_refuse_it_with_their_line_and_write_nothing(session, now):
    make_advocate(session, email="keep@example.com", nps=5)
    before = snapshot(session)
    good = "".join(f"row{n}@example.com,Row {n}\n" for n in range(3000))
    data = ("email,name\nkeep@example.com,Kept\n" + good + "zoe@example.com,Zoë\n").encode("utf-8")
    data = data.replace("Zoë".encode(), "Zoë".encode("latin-1"))
    problem = refused(run(session, now, data))
    assert problem.line == 3003 and "line 3003 is not UTF-8" in problem.reason
    assert "Nothing was imported" in problem.reason
    assert snapshot(session) == before


def test_a_character_cut_between_two_reads_is_still_utf8(session, now, monkeypatch):
    monkeypatch.setattr(files, "CHUNK", 7)
    report = run(session, now, "email,name\nzoë@example.com,Zoë\n".encode())
    assert (report.created, report.rejected_count) == (1, 0)


@pytest.mark.parametrize(("data", "words"), [
    ("email,name\nz@example.com,Zoë\n".encode("utf-16"), "UTF-16"),
    ("email,name\nz@example.com,Zoë\n".encode("utf-16-le"), "line 1 holds a NUL byte"),
    (b"email,name\nz@example.com,Z\x00e\n", "line 2 holds a NUL byte"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
    (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook (.xlsx)"),
])
def test_utf16_and_binary_files_are_refused_with_one_clear_reason(session, now, data, words):
    problem = refused(run(session, now, data))
    assert words in problem.reason and "Nothing was imported" in problem.reason
    assert stored(session) == 0


def test_an_empty_file_and_a_blank_header_are_refused(session, now):
    for data in (b"", b"\n\n", b"\xef\xbb\xbf"):
        problem = refused(run(session, now, data))
        assert problem.line == 1 and "the file is empty" in problem.reason


def test_a_header_only_file_imports_nothing_and_rejects_nothing(session, now):
    report = run(session, now, b"email,name\r\n")
    assert (report.created, report.updated, report.unchanged, report.rejected_count, report.refused) == (
        0, 0, 0, 0, False)


# The header: strict names (API and CLI), a mapping (web), given names (CLI --map/--ignore).

def test_an_unknown_column_is_refused_without_a_mapping(session, now):
    problem = refused(run(session, now, b"E-mail,name\nana@example.com,Ana\n"))
    assert "unknown column 'E-mail'" in problem.reason and stored(session) == 0


def test_given_names_map_or_ignore_columns(session, now):
    data = b"E-mail,Full name,Shoe size\nana@example.com,Ana,38\n"
    report = run(session, now, data, given={"e-mail": "email", "Full name": "name", "shoe size": None})
    assert report.created == 1
    assert session.scalars(select(Advocate.name)).one() == "Ana"


def test_a_mapping_from_the_preview_fills_the_chosen_fields(session, now):
    data = b"Customer ID,E-mail,Notes\nCRM-1,ana@example.com,likes us\n"
    report = run(session, now, data, mapping=["external_id", "email", None])
    assert report.rejected[0].reason == "a new record needs a name"
    assert run(session, now, data, mapping=["external_id", "email", "name"]).created == 1
    ana = session.scalars(select(Advocate)).one()
    assert (ana.external_id, ana.name) == ("CRM-1", "likes us")


def test_a_mapping_of_another_width_or_with_a_field_twice_is_refused(session, now):
    data = b"a,b\nana@example.com,Ana\n"
    assert "columns changed" in refused(run(session, now, data, mapping=["email"])).reason
    assert "chosen for both" in refused(run(session, now, data, mapping=["email", "email"])).reason
    keyless = refused(run(session, now, data, mapping=["name", None]))
    assert "needs an email or an external_id" in keyless.reason


def test_aliases_are_suggested_and_a_field_is_suggested_once():
    header = ["Customer ID", "E-mail", " EMAIL ", "NPS Score", "Last seen", "Shoe size", "Company Name"]
    assert files.suggest_mapping(header) == [
        "external_id", "email", None, "nps", "last_active_on", None, "company"]


def test_missing_key_columns_and_repeated_columns_are_refused(session, now):
    assert "needs an email or an external_id" in refused(run(session, now, b"name,nps\nAna,9\n")).reason
    twice = refused(run(session, now, b"email,EMAIL\na@x.test,b@x.test\n"))
    assert "column 'email' appears twice" in twice.reason


# Rows: bad values, duplicates, re-imports.

def test_bad_numbers_dates_and_nps_reject_the_row_and_leave_the_record_as_it_was(session, now):
    existing = make_advocate(session, email="mid@example.com", external_id="CRM-2", nps=8, health_score=60)
    session.commit()
    before = snapshot(session)
    report = run(session, now, lines(
        "CRM-2,mid@example.com,,11,70,,,",
        "CRM-2b,b@example.com,B,9,seventy,2024-02-30,,",
        "CRM-2c,c@example.com,C,-1,,,1.5,2030-01-01",
        "CRM-2d,d@example.com,D,10,,,,"))
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "nps: from 0 to 10"),
        (3, "customer_since: a date as YYYY-MM-DD; health_score: a whole number from 0 to 100"),
        (4, "nps: from 0 to 10; purchases: a whole number from 0 to 1,000,000; "
            "last_active_on: 2030-01-01 is in the future")]
    assert report.created == 1
    session.expire_all()
    assert (existing.nps, existing.health_score) == (8, 60)
    advocates, _ = snapshot(session)
    assert [a for a in advocates if a[0] == existing.id] == [a for a in before[0] if a[0] == existing.id]


def test_a_later_row_with_the_same_key_is_a_duplicate_of_the_first(session, now):
    report = run(session, now, lines(
        "CRM-1,ana@example.com,Ana,9,,,,", "CRM-1,other@example.com,Ana Again,10,,,,",
        "CRM-9,ANA@example.com,Ana Three,10,,,,", "CRM-2,ben@example.com,Ben,7,,,,"))
    assert report.created == 2
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "duplicate of line 2: the same external_id CRM-1"),
        (4, "duplicate of line 2: the same email ana@example.com")]
    assert session.scalars(select(Advocate.nps).where(Advocate.external_id == "CRM-1")).one() == 9


def test_a_record_reached_through_its_other_key_twice_is_a_duplicate(session, now):
    make_advocate(session, email="ana@example.com", external_id="CRM-1", nps=5)
    report = customers.import_rows(session, rows=[{"external_id": "CRM-1", "nps": 9},
                                                  {"email": "ana@example.com", "nps": 10}], now=now)
    assert [r.outcome for r in report.results] == ["updated", "rejected"]
    assert report.results[1].reason == "duplicate of line 1: the same customer record (external_id CRM-1)"
    assert session.scalars(select(Advocate.nps)).one() == 9


def test_reimporting_the_same_file_changes_nothing(session, now):
    data = lines("CRM-1,ana@example.com,Ana,10,90,2024-01-01,3,2026-06-01",
                 "CRM-2,ben@example.com,Ben,9,,,,", "CRM-3,cara@example.com,Cara,eleven,,,,")
    first = run(session, now, data)
    session.commit()
    assert (first.created, first.rejected_count) == (2, 1)
    before = snapshot(session)
    writes = []
    listen = event.listens_for(session.connection(), "before_cursor_execute")
    listen(lambda conn, cursor, statement, *args: writes.append(statement))
    later = now + timedelta(days=1)
    again = run(session, later, data)
    assert (again.created, again.updated, again.unchanged, again.rejected_count) == (0, 0, 2, 1)
    assert not [s for s in writes if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert snapshot(session) == before  # signal updated_at included


def test_a_changed_cell_updates_only_its_record_and_its_updated_at(session, now):
    data = lines("CRM-1,ana@example.com,Ana,10,90,,,", "CRM-2,ben@example.com,Ben,9,,,,")
    run(session, now, data)
    later = now + timedelta(hours=3)
    report = run(session, later, lines("CRM-1,ana@example.com,Ana,10,95,,,",
                                       "CRM-2,ben@example.com,Ben,9,,,,"))
    assert (report.updated, report.unchanged) == (1, 1)
    stamps = dict(session.execute(select(Advocate.external_id, CustomerSignal.updated_at)
                                  .join(CustomerSignal, CustomerSignal.advocate_id == Advocate.id)).all())
    assert stamps == {"CRM-1": later, "CRM-2": now}


def test_inline_scores_and_tiers_equal_the_weekly_job(session, now):
    today = now.date()
    rows = [f"CRM-{n},c{n}@example.com,C {n},{n % 11},{40 + n % 61},{today - timedelta(days=30 * (n % 40))},"
            f"{n % 7},{today - timedelta(days=n % 50)}" for n in range(1, 400)]
    report = run(session, now, lines(*rows))
    assert report.created == 399
    assert readiness.score_customers(session, now=now) == 0  # nothing left for the job to change
    tiered = select(func.count()).select_from(Advocate).where(Advocate.readiness_tier.is_not(None))
    assert session.scalar(tiered) > 0


def test_rows_spanning_many_batches_keep_their_lines_and_order(session, now, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 7)
    rows = [f"CRM-{n},c{n}@example.com,C {n},{'x' if n % 5 == 0 else 9},,,," for n in range(1, 60)]
    report = run(session, now, lines(*rows), keep_results=True)
    assert [r.line for r in report.results] == list(range(2, 61))
    assert [r.line for r in report.rejected] == [n + 1 for n in range(5, 60, 5)]
    assert report.created == 48 and stored(session) == 48


def test_a_batch_the_database_refuses_is_written_again_row_by_row(session, now, monkeypatch):
    make_staff(session, email="staff@example.com")
    real = batches._write
    calls = []

    def fail_first_batch(session_, outcomes, now_):
        calls.append(len(outcomes))
        if len(calls) == 1:
            raise importer.IntegrityError("INSERT", {}, Exception("disk hiccup"))
        return real(session_, outcomes, now_)

    monkeypatch.setattr(batches, "_write", fail_first_batch)
    report = run(session, now, lines("CRM-1,a@example.com,A,9,,,,", "CRM-2,b@example.com,B,9,,,,",
                                     "CRM-3,staff@example.com,S,9,,,,"), keep_results=True)
    assert calls == [3, 1, 1, 1]
    assert [r.outcome for r in report.results] == ["created", "created", "rejected"]
    assert stored(session) == 2


def test_a_row_the_database_refuses_alone_is_rejected_and_its_neighbours_apply(session, now, monkeypatch):
    real = batches._write

    def refuse_b(session_, outcomes, now_):
        if any(o.row.email == "b@example.com" for o in outcomes):
            raise importer.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(session_, outcomes, now_)

    monkeypatch.setattr(batches, "_write", refuse_b)
    report = run(session, now, lines("CRM-1,a@example.com,A,9,,,,", "CRM-2,b@example.com,B,9,,,,",
                                     "CRM-3,c@example.com,C,9,,,,"), keep_results=True)
    assert [r.outcome for r in report.results] == ["created", "rejected", "created"]
    assert report.results[1].reason == importer.CONFLICT
    assert sorted(session.scalars(select(Advocate.email))) == ["a@example.com", "c@example.com"]


def test_every_rejection_is_written_to_the_rejections_csv(session, now):
    out = io.StringIO()
    rows = [f"r{n}@example.com,R,{'eleven' if n % 2 else 9}" for n in range(40)]
    report = run(session, now, lines(*rows, header="email,name,nps"), rejections=out, keep=5)
    assert (report.rejected_count, len(report.rejected), report.more_rejected) == (20, 5, 15)
    written = list(csv.reader(io.StringIO(out.getvalue())))
    assert written[0] == ["line", "record", "reason"] and len(written) == 21
    assert written[1] == ["3", "r1@example.com", "nps: a whole number from 0 to 10"]


def test_a_50_mb_file_streams_in_flat_memory(now, tmp_path):
    """In a child process (its RSS is its own): the peak grows far less than the file's size."""
    path = tmp_path / "big.csv"
    # Wide rows (every text at its longest, 20 tags) keep the row count, and so the test's time, down.
    tags = ";".join(f"segment-{n:02d}-{'x' * 29}" for n in range(20))
    with path.open("w", encoding="utf-8") as out:
        out.write("external_id,email,name,company,title,industry,region,tags,nps\n")
        n = 0
        while out.tell() < 50 * 1024 * 1024:
            n += 1
            out.write(f"CRM-{n},c{n}@example.com,Customer {n} {'n' * 100},Company {n % 977} {'c' * 100},"
                      f"Head of {'o' * 110},{'i' * 80},{'r' * 80},{tags},{n % 11}\n")
    url = f"sqlite:///{tmp_path}/big.db"
    migrate_database(url, str(tmp_path / "uploads"))
    child = subprocess.run([sys.executable, "-m", "tests.services.customers.import_memory", url,
                            str(tmp_path), str(path), now.isoformat()],
                           capture_output=True, text=True, check=True)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert (result["created"], result["rejected"]) == (n, 0)
    # What grows: SQLite's page cache (up to 32 MiB a connection) as the database grows, one batch
    # of rows, the key set (~4 MB here). The file held whole would add 50 MB of bytes and more as text.
    assert result["grown_mb"] < 70, result


def test_progress_reports_every_byte_read(session, now):
    seen = []
    data = lines(*(f"CRM-{n},c{n}@example.com,C,9,,,," for n in range(500)))
    run(session, now, data, progress=seen.append)
    assert sum(seen) == len(data)


def test_the_key_set_remembers_hashes_in_flat_arrays():
    keys = Keys()
    assert keys.first(CustomerRow(external_id="CRM-1", email="a@x.test"), 2) is None
    assert (keys.ext.get(hash("CRM-1")), keys.email.get(hash("a@x.test"))) == (2, 2)
    duplicate = keys.first(CustomerRow(email="a@x.test"), 3)
    assert duplicate.message == "duplicate of line 2: the same email a@x.test"


def test_the_line_table_grows_and_keeps_every_first_line():
    table = LineTable(size=4)
    for n in range(1, 5001):
        table.put(n * 1024, n)  # all in one slot of the first table: long probe runs, then growth
        table.put(-n, n)
    table.put(1024, 99)  # a later line keeps the first
    assert all(table.get(n * 1024) == n and table.get(-n) == n for n in range(1, 5001))
    assert table.get(5001 * 1024) is None and len(table.lines) >= 4 * 5000

def test_a_future_or_impossible_date_is_rejected_not_an_error(session, now):
    report = run(session, now, lines("CRM-1,a@example.com,A,9,,0001-01-01,,",
                                     "CRM-2,b@example.com,B,9,,9999-12-31,,",
                                     f"CRM-3,c@example.com,C,9,,{date(2026, 2, 28)},,"))
    assert [r.line for r in report.rejected] == [3] and report.created == 2
