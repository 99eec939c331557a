"""Prepared statements (services/prepared.py) behave like SQLAlchemy's own execution on both engines:
repeated parameters, enum and datetime conversion both ways, the same transaction, wrapped errors."""

from datetime import date, datetime

import pytest
from sqlalchemy import Date, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Advocate, CustomerSignal, LedgerEntry, LedgerReason, Status
from app.services.prepared import Prepared, _memoized
from tests.factories import make_advocate

COLUMNS = Advocate.__table__.c
BUMP = Prepared(text(
    "UPDATE advocate SET balance = balance + :amount, lifetime_points = lifetime_points + :amount, "
    "status_since = :since WHERE id = :advocate_id RETURNING balance, status, status_since"
).bindparams(bindparam("since", type_=COLUMNS.status_since.type)).columns(
    COLUMNS.balance, COLUMNS.status, COLUMNS.status_since))
INSERT = Prepared(text(
    "INSERT INTO ledger_entry (advocate_id, amount, reason, idempotency_key, note, created_at) "
    "VALUES (:advocate_id, 5, :reason, :key, '', :at) RETURNING id"
).bindparams(bindparam("reason", type_=LedgerEntry.__table__.c.reason.type),
             bindparam("at", type_=LedgerEntry.__table__.c.created_at.type)))


def test_values_are_converted_both_ways_inside_the_session_transaction(race_app):
    with race_app.app_context():
        session = db.session
        advocate = make_advocate(session)
        session.commit()
        since = datetime(2026, 3, 4, 5, 6, 7)
        row = BUMP.first(session.connection(), {"amount": 40, "since": since, "advocate_id": advocate.id})
        assert row == (40, Status.BRONZE, since)
        values = {"advocate_id": advocate.id, "reason": LedgerReason.BONUS, "key": "prepared:1", "at": since}
        entry_id = INSERT.first(session.connection(), values)[0]
        # The ORM, in the same transaction, reads what the raw statements wrote, typed as usual.
        entry = session.get(LedgerEntry, entry_id)
        assert (entry.reason, entry.created_at) == (LedgerReason.BONUS, since)
        session.rollback()
        assert session.scalar(select(Advocate.balance).where(Advocate.id == advocate.id)) == 0
        assert session.get(LedgerEntry, entry_id) is None
        db.session.remove()


def test_driver_errors_surface_as_sqlalchemy_errors(race_app):
    with race_app.app_context():
        session = db.session
        advocate = make_advocate(session)
        session.commit()
        values = {"advocate_id": advocate.id, "reason": LedgerReason.BONUS, "key": "prepared:twice",
                  "at": datetime(2026, 1, 1)}
        INSERT.rows(session.connection(), values)
        with pytest.raises(IntegrityError):
            INSERT.rows(session.connection(), values)
        session.rollback()
        db.session.remove()


SIGNALS = CustomerSignal.__table__
SIGNAL_INSERT = Prepared(insert(SIGNALS).values({
    name: bindparam(name, type_=SIGNALS.c[name].type) for name in (
    "advocate_id", "purchase_count", "last_purchase_on", "csat", "recovered", "referrals_made",
    "social_mentions", "updated_at")}))
TAGS = Prepared(text("SELECT :tags AS tags, :day AS day").bindparams(
    bindparam("tags", type_=Advocate.__table__.c.tags.type), bindparam("day", type_=Date())))


def _signal(n: int) -> dict:
    return {"purchase_count": n, "last_purchase_on": date(2025, 1, 1 + n), "csat": 4.5 if n else None,
            "recovered": n % 2 == 0, "referrals_made": 0, "social_mentions": n}


def test_arguments_built_ahead_and_completed_insert_what_many_inserts_and_read_back(race_app):
    """builder (here without advocate_id, the statement's first column), completer and many_built, as a
    big import uses them across two processes; reader turns the arguments back into the values."""
    with race_app.app_context():
        session = db.session
        ids = [make_advocate(session).id for _ in range(4)]
        session.commit()
        connection, at = session.connection(), datetime(2026, 2, 3, 4, 5, 6)
        dialect = connection.dialect
        SIGNAL_INSERT.many(connection, [{**_signal(n), "advocate_id": ids[n]} for n in range(2)],
                           {"updated_at": at})
        build = SIGNAL_INSERT.builder(dialect, {"updated_at": at}, without="advocate_id", memo=True)
        complete = SIGNAL_INSERT.completer(dialect, "advocate_id")
        built = [build(_signal(n)) for n in range(2)]
        SIGNAL_INSERT.many_built(connection, [complete(args, ids[n + 2]) for n, args in enumerate(built)])
        stored = {row[0]: row[1:] for row in session.execute(
            select(SIGNALS).where(SIGNALS.c.advocate_id.in_(ids)).order_by(SIGNALS.c.advocate_id))}
        assert stored[ids[0]] == stored[ids[2]] and stored[ids[1]] == stored[ids[3]]
        assert stored[ids[1]][1:4] == (date(2025, 1, 2), 4.5, False)
        if dialect.name == "sqlite":
            read = SIGNAL_INSERT.reader(dialect, without="advocate_id")
            for n, args in enumerate(built):
                assert read(args, tuple(_signal(n))) == _signal(n)
        else:  # psycopg's Float needs a result's column type to read a value back
            with pytest.raises(ValueError, match="no way back"):
                SIGNAL_INSERT.reader(dialect, without="advocate_id")
        session.rollback()
        db.session.remove()


def test_a_memoizing_builder_converts_exactly_as_the_plain_one(race_app):
    with race_app.app_context():
        dialect = db.session.connection().dialect
        plain, memo = TAGS.builder(dialect), TAGS.builder(dialect, memo=True)
        day = date(2026, 1, 2)
        values = [{"tags": ["api", "sso"], "day": day}, {"tags": ["api", "sso"], "day": day},
                  {"tags": [1, 1.0, True], "day": None}, {"tags": [1.0], "day": date(2026, 1, 3)},
                  {"tags": {"a": 1}, "day": date(2026, 1, 2)}, {"tags": [], "day": date(2026, 1, 2)}]
        # [1] and [1.0] (and True) are equal as keys: only lists of strings are remembered.
        def plain_values(args):  # psycopg's JSON arguments are Json wrappers, equal by their .obj
            return [getattr(arg, "obj", arg) for arg in (args.values() if isinstance(args, dict) else args)]

        assert [plain_values(memo(v)) for v in values] == [plain_values(plain(v)) for v in values]
        db.session.remove()


def test_memoized_conversions_stop_being_remembered_at_the_limit():
    calls = []

    def process(value):
        calls.append(value)
        return str(value)

    convert = _memoized(process, limit=2)
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    assert [convert(day) for day in days + days] == [str(day) for day in days + days]
    assert calls == days + [date(2026, 1, 3)]  # the third was never kept
