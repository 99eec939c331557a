"""The batch import path on both engines: the same SQL creates, updates, finds unchanged rows, rejects
conflicts, falls back row by row, scores like the weekly job, and runs beside a concurrent writer."""

import io
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Advocate, CustomerSignal
from app.services import clock, customers
from app.services.customers import batches, importer, readiness
from tests.factories import make_advocate, make_staff

HEADER = ("external_id,email,name,company,tags,customer_since,nps,health_score,purchases,last_purchase_on,"
          "csat,recovered,usage_depth,referrals_made,social_mentions,last_active_on")


def _file(rows: list[str]) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode())


def _rows(today: date, count: int, start: int = 1) -> list[str]:
    return [f"CRM-{n},c{n}@example.com,Customer {n},Co {n % 7},a;b,{today - timedelta(days=40 * (n % 30))},"
            f"{n % 11},{50 + n % 51},{n % 6},{today - timedelta(days=n % 800)},{'' if n % 3 else 4.5},"
            f"{'yes' if n % 9 == 0 else 'no'},{n % 101},{n % 4},{n % 7},{today - timedelta(days=n % 45)}"
            for n in range(start, start + count)]


def test_the_batch_path_creates_updates_and_leaves_unchanged_rows_alone(race_app, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 50)
    now = clock.utcnow()
    with race_app.app_context():
        session = db.session
        make_staff(session, email="staff@example.com")
        keep = make_advocate(session, email="c5@example.com", external_id=None, nps=3)
        session.commit()
        rows = _rows(now.date(), 180) + ["CRM-999,staff@example.com,Staff,,,,9,,,,,,,,,",
                                         "CRM-7,again@example.com,Again,,,,9,,,,,,,,,"]
        report = customers.import_file(session, stream=_file(rows), now=now, commit=session.commit)
        session.commit()
        assert (report.created, report.updated, report.rejected_count) == (179, 1, 2)
        assert [r.reason for r in report.rejected] == [
            "email staff@example.com belongs to a staff account",
            "duplicate of line 8: the same external_id CRM-7"]
        session.expire_all()
        kept = session.get(Advocate, keep.id)
        assert (kept.external_id, kept.nps, kept.tags) == ("CRM-5", 5, ["a", "b"])
        signal = session.get(CustomerSignal, kept.id)
        assert (signal.csat, signal.recovered, signal.usage_depth) == (None, False, 5)
        assert readiness.score_customers(session, now=now) == 0  # scores and tiers equal the job's
        session.commit()
        again = customers.import_file(session, stream=_file(rows[:180]), now=now + timedelta(hours=1))
        assert (again.created, again.updated, again.unchanged) == (0, 0, 180)
        changed = _rows(now.date(), 180)
        changed[9] = changed[9].replace("Customer 10", "Customer Ten")
        third = customers.import_file(session, stream=_file(changed), now=now + timedelta(hours=2))
        session.commit()
        assert (third.updated, third.unchanged) == (1, 179)
        assert session.scalar(select(Advocate.name).where(Advocate.external_id == "CRM-10")) == "Customer Ten"


def test_a_refused_batch_falls_back_to_one_savepoint_a_row(race_app, monkeypatch):
    now = clock.utcnow()
    real = batches._write

    def refuse(session_, outcomes, ctx):
        if len(outcomes) > 1 or outcomes[0].row.email == "c3@example.com":
            raise importer.IntegrityError("INSERT", {}, Exception("refused"))
        return real(session_, outcomes, ctx)

    monkeypatch.setattr(batches, "_write", refuse)
    with race_app.app_context():
        session = db.session
        report = customers.import_file(session, stream=_file(_rows(now.date(), 5)), now=now,
                                       keep_results=True)
        session.commit()
        assert [r.outcome for r in report.results] == ["created", "created", "rejected", "created", "created"]
        assert session.scalar(select(func.count()).select_from(Advocate)) == 4


# PostgreSQL only: on SQLite, BEGIN IMMEDIATE makes a rival writer wait for the import instead.
@pytest.mark.parametrize("race_app", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_concurrent_writer_of_the_same_email_loses_no_row(race_app, monkeypatch):
    """Another process creates a record the batch also creates: the batch is refused by the unique
    index, then written row by row, and the row of that customer updates the other's record."""
    now = clock.utcnow()
    real = batches._write
    raced = threading.Event()

    def with_a_rival(session_, outcomes, ctx):
        if not raced.is_set():
            raced.set()
            rival = threading.Thread(target=_create_rival, args=(race_app,))
            rival.start()
            rival.join()
        return real(session_, outcomes, ctx)

    monkeypatch.setattr(batches, "_write", with_a_rival)
    with race_app.app_context():
        session = db.session
        report = customers.import_file(session, stream=_file(_rows(now.date(), 4)), now=now,
                                       keep_results=True)
        session.commit()
        assert [r.outcome for r in report.results] == ["created", "updated", "created", "created"]
        assert session.scalar(select(func.count()).select_from(Advocate)) == 4
        rival = session.scalars(select(Advocate).where(Advocate.email == "c2@example.com")).one()
        assert (rival.external_id, rival.nps) == ("CRM-2", 2)


def _create_rival(app):
    with app.app_context():
        make_advocate(db.session, email="c2@example.com", external_id=None, nps=1)
        db.session.commit()
        db.session.remove()
