"""Referrals under 20 simultaneous requests, on SQLite and PostgreSQL: one move, one award, and one
accepted referral per prospect email."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Advocate, LedgerEntry, Referral, ReferralState, RejectionReason, StaffRole, StaffUser
from app.services import referrals
from app.services.points import ledger
from app.services.referrals import pipeline as referral_pipeline
from tests.factories import make_advocate, make_staff
from tests.reliability.conftest import THREADS, race

R = ReferralState


def _setup(app, build):
    with app.app_context():
        ids = build(db.session)
        db.session.commit()
        db.session.remove()
    return ids


def _submit(session, code, email, now, client="c"):
    return referrals.submit_referral(session, code=code, friend=referrals.Friend("Pat", email, "Prospect"),
                                     client_hash=client, now=now, client_limit=1000, client_window_minutes=60)


def _referral(session, now, state=R.SUBMITTED):
    advocate = make_advocate(session)
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now).code
    referral = _submit(session, code, "pat@prospect.io", now)
    staff = make_staff(session, role=StaffRole.MARKETING)
    if state == R.QUALIFIED:
        referral_pipeline.move_referral(session, referral_id=referral.id, to=R.QUALIFIED, staff=staff,
                                        now=now)
    return advocate.id, referral.id, staff.id


def _check(app, advocate_id, *, entries, balance):
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                  .where(LedgerEntry.advocate_id == advocate_id))
        assert (count, db.session.get(Advocate, advocate_id).balance) == (entries, balance)
        assert ledger.verify(db.session) == []
        db.session.remove()


def test_twenty_qualifications_of_one_referral_award_once(race_app, now):
    advocate_id, referral_id, staff_id = _setup(race_app, lambda s: _referral(s, now))

    def work(session):
        referral_pipeline.move_referral(session, referral_id=referral_id, to=R.QUALIFIED,
                                        staff=session.get(StaffUser, staff_id), now=now)

    outcomes = race(race_app, work)
    assert outcomes == {"ok": 1, "InvalidTransition": THREADS - 1}
    _check(race_app, advocate_id, entries=1, balance=400)


def test_twenty_conversions_of_one_referral_award_once(race_app, now):
    advocate_id, referral_id, staff_id = _setup(race_app, lambda s: _referral(s, now, R.QUALIFIED))

    def work(session):
        referral_pipeline.move_referral(session, referral_id=referral_id, to=R.CONVERTED,
                                        staff=session.get(StaffUser, staff_id), now=now, deal_amount=9000)

    outcomes = race(race_app, work)
    assert outcomes == {"ok": 1, "InvalidTransition": THREADS - 1}
    _check(race_app, advocate_id, entries=2, balance=1400)


def test_twenty_submissions_of_one_email_through_twenty_links_accept_one(race_app, now):
    def build(session):
        return [referrals.get_or_create_code(session, advocate_id=make_advocate(session).id, now=now).code
                for _ in range(THREADS)]

    codes = _setup(race_app, build)
    handed = iter(codes)

    def work(session):
        _submit(session, next(handed), "Pat@Prospect.io", now)

    assert race(race_app, work) == {"ok": THREADS}
    with race_app.app_context():
        rows = db.session.execute(select(Referral.state, Referral.rejection_reason)).all()
        assert sorted(rows, key=str) == sorted(
            [(R.SUBMITTED, None)] + [(R.REJECTED, RejectionReason.KNOWN_PROSPECT)] * (THREADS - 1), key=str)
        db.session.remove()


def test_twenty_submissions_through_one_link_respect_the_burst_limit(race_app, now):
    def build(session):
        return referrals.get_or_create_code(session, advocate_id=make_advocate(session).id, now=now).code

    code = _setup(race_app, build)
    emails = iter(f"p{i}@prospect{i}.io" for i in range(THREADS))

    def work(session):
        _submit(session, code, next(emails), now)

    assert race(race_app, work) == {"ok": THREADS}
    with race_app.app_context():
        accepted = db.session.scalar(select(func.count()).select_from(Referral)
                                     .where(Referral.state == R.SUBMITTED))
        assert accepted == 5
        db.session.remove()
