"""Prepared statements (services/prepared.py) behave like SQLAlchemy's own execution on both engines:
repeated parameters, enum and datetime conversion both ways, the same transaction, wrapped errors."""

from datetime import datetime

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Advocate, LedgerEntry, LedgerReason, Status
from app.services.prepared import Prepared
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
