"""The append-only points ledger (SPEC §4): idempotent entries, caches in step, verifiable."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from app.models import Advocate, LedgerEntry, LedgerReason, PeriodTotal
from app.services.errors import ValidationFailed
from app.services.points import ledger
from app.services.program import settings as settings_service
from tests.factories import make_advocate, make_staff


def post(session, advocate, amount, key, now, reason=LedgerReason.BONUS):
    return ledger.post_entry(session, advocate_id=advocate.id, amount=amount, reason=reason,
                             idempotency_key=key, now=now)


def entries(session):
    return session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()


def test_posting_the_same_key_twice_awards_once(session, now):
    advocate = make_advocate(session)
    first = post(session, advocate, 100, "bonus:1", now)
    second = post(session, advocate, 100, "bonus:1", now)
    assert first.created and not second.created
    assert second.entry.id == first.entry.id and second.promotions == []
    session.refresh(advocate)
    assert advocate.balance == 100 and advocate.lifetime_points == 100
    assert len(entries(session)) == 1
    assert ledger.verify(session) == []


def test_a_repeated_key_after_commit_changes_nothing(session, now):
    advocate = make_advocate(session)
    post(session, advocate, 100, "bonus:1", now)
    session.commit()
    post(session, advocate, 500, "bonus:1", now + timedelta(days=1))
    session.commit()
    session.refresh(advocate)
    assert (advocate.balance, advocate.lifetime_points) == (100, 100)
    assert [e.amount for e in entries(session)] == [100]


def test_the_entry_records_reason_source_note_actor_and_time(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    entry = ledger.post_entry(session, advocate_id=advocate.id, amount=40, reason=LedgerReason.REFERRAL,
                              idempotency_key="referral:7", source=("referral", 7), note="Peer intro",
                              actor_id=staff.id, now=now).entry
    assert (entry.reason, entry.source_type, entry.source_id) == (LedgerReason.REFERRAL, "referral", 7)
    assert (entry.note, entry.actor_id, entry.created_at) == ("Peer intro", staff.id, now)


def test_spending_and_refunds_move_the_balance_but_not_lifetime_points(session, now):
    advocate = make_advocate(session)
    post(session, advocate, 500, "a", now)
    post(session, advocate, -300, "b", now, reason=LedgerReason.REDEMPTION)
    post(session, advocate, 100, "c", now, reason=LedgerReason.REFUND)
    session.refresh(advocate)
    assert (advocate.balance, advocate.lifetime_points) == (300, 500)
    assert ledger.verify(session) == []


def test_a_debit_below_zero_is_refused(session, now):
    advocate = make_advocate(session)
    post(session, advocate, 100, "a", now)
    session.commit()
    with pytest.raises(ValidationFailed) as error:
        post(session, advocate, -101, "b", now, reason=LedgerReason.REDEMPTION)
    assert error.value.field == "amount"
    session.rollback()
    assert [e.amount for e in entries(session)] == [100]
    assert session.get(Advocate, advocate.id).balance == 100


def test_a_debit_down_to_exactly_zero_is_allowed(session, now):
    advocate = make_advocate(session)
    post(session, advocate, 100, "a", now)
    post(session, advocate, -100, "b", now, reason=LedgerReason.REDEMPTION)
    session.refresh(advocate)
    assert advocate.balance == 0


def test_an_entry_must_move_points(session, now):
    with pytest.raises(ValidationFailed):
        post(session, make_advocate(session), 0, "zero", now)


def test_an_adjustment_needs_a_note_and_a_request_key(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    with pytest.raises(ValidationFailed) as error:
        ledger.adjust(session, advocate_id=advocate.id, amount=50, note="  ", actor_id=staff.id,
                      request_key="k1", now=now)
    assert error.value.field == "note"
    with pytest.raises(ValidationFailed):
        ledger.adjust(session, advocate_id=advocate.id, amount=50, note="Goodwill", actor_id=staff.id,
                      request_key="", now=now)
    assert entries(session) == []


def test_an_adjustment_is_recorded_once_per_form_submission(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    for _ in range(2):
        result = ledger.adjust(session, advocate_id=advocate.id, amount=75, note=" Goodwill ",
                               actor_id=staff.id, request_key="form-uuid", now=now)
    [entry] = entries(session)
    assert result.entry.id == entry.id
    assert (entry.reason, entry.note, entry.actor_id, entry.idempotency_key) == (
        LedgerReason.ADJUSTMENT, "Goodwill", staff.id, "adjustment:form-uuid")


def test_entries_are_listed_newest_first_and_paged(session, now):
    advocate = make_advocate(session)
    for day in range(5):
        post(session, advocate, 10 + day, f"k{day}", now + timedelta(days=day))
    post(session, make_advocate(session), 1, "other", now)
    listed = ledger.entries_for(session, advocate_id=advocate.id, limit=2, offset=1)
    assert [e.amount for e in listed] == [13, 12]


@pytest.mark.parametrize("field", ["balance", "lifetime_points"])
def test_verify_detects_a_tampered_cache(session, now, field):
    advocate = make_advocate(session)
    post(session, advocate, 100, "a", now)
    session.execute(update(Advocate).where(Advocate.id == advocate.id).values({field: 999}))
    [problem] = ledger.verify(session)
    assert (problem.advocate_id, problem.field) == (advocate.id, field)
    assert (problem.cached, problem.actual) == (999, 100)


def test_verify_detects_a_tampered_period_bucket(session, now):
    advocate = make_advocate(session)
    post(session, advocate, 100, "a", now)
    session.execute(update(PeriodTotal).where(PeriodTotal.period == "week").values(points=1))
    [problem] = ledger.verify(session)
    assert problem.field.startswith("week from") and (problem.cached, problem.actual) == (1, 100)


def test_verify_detects_a_cached_balance_without_entries(session, now):
    make_advocate(session, balance=5)
    assert [p.field for p in ledger.verify(session)] == ["balance"]


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entry SET amount = 1000000",
    "DELETE FROM ledger_entry",
])
def test_ledger_rows_cannot_be_updated_or_deleted(session, now, statement):
    post(session, make_advocate(session), 100, "a", now)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert [e.amount for e in entries(session)] == [100]


def test_earned_points_land_in_this_week_and_month_buckets(session, now):
    advocate = make_advocate(session)
    post(session, advocate, 100, "a", now)
    post(session, advocate, 50, "b", now + timedelta(days=1))
    post(session, advocate, -20, "c", now, reason=LedgerReason.REDEMPTION)
    buckets = {(p.period, p.period_start): p.points for p in session.scalars(select(PeriodTotal))}
    assert buckets == {("week", now.date() - timedelta(days=now.weekday())): 150,
                       ("month", now.date().replace(day=1)): 150}


def test_buckets_follow_the_program_timezone(session, now):
    settings_service.save(session, changes={"timezone": "America/Los_Angeles"}, actor_id=None, now=now)
    advocate = make_advocate(session)
    post(session, advocate, 100, "a", datetime(2026, 6, 1, 3, 0))
    month = session.scalars(select(PeriodTotal).where(PeriodTotal.period == "month")).one()
    assert month.period_start.isoformat() == "2026-05-01"
    assert ledger.verify(session) == []
