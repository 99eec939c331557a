"""Referral services: codes, fraud rules, the state machine, awards exactly once, the funnel."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    LedgerEntry,
    LedgerReason,
    Notification,
    OutboxMessage,
    Referral,
    ReferralState,
    RejectionReason,
    StaffRole,
)
from app.services import referrals
from app.services.errors import InvalidTransition, NotFound, RateLimited, ValidationFailed
from app.services.points import ledger
from app.services.program.settings import save
from app.services.referrals import pipeline as referral_pipeline
from app.services.referrals import reports as referral_reports
from tests.factories import make_advocate, make_staff

R = ReferralState


@pytest.fixture
def referrer(session):
    return make_advocate(session, name="Rita Referrer", email="rita@acme-corp.com", company="Acme Corp")


@pytest.fixture
def code(session, referrer, now):
    return referrals.get_or_create_code(session, advocate_id=referrer.id, now=now).code


def submit(session, code, now, email="friend@otherco.com", name="Fran Friend", client="client-1", limit=100):
    return referrals.submit_referral(session, code=code, friend=referrals.Friend(name, email, "Other Co"),
                                     client_hash=client, now=now, client_limit=limit,
                                     client_window_minutes=60)


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


# -- codes -----------------------------------------------------------------------------------------

def test_each_advocate_gets_one_unguessable_code(session, referrer, now):
    first = referrals.get_or_create_code(session, advocate_id=referrer.id, now=now)
    again = referrals.get_or_create_code(session, advocate_id=referrer.id, now=now)
    other = referrals.get_or_create_code(session, advocate_id=make_advocate(session).id, now=now)
    assert first.id == again.id and first.code != other.code
    assert len(first.code) >= 12 and str(referrer.id) != first.code


def test_the_landing_shows_first_name_and_company_but_never_the_email(session, code):
    landing = referrals.open_landing(session, code=code)
    assert (landing.referrer_first_name, landing.referrer_company) == ("Rita", "Acme Corp")
    assert "rita@" not in repr(landing)
    with pytest.raises(NotFound):
        referrals.open_landing(session, code="no-such-code")


def test_an_opted_out_referrers_link_stops_working(session, referrer, code):
    referrer.state = "opted_out"
    session.flush()
    with pytest.raises(NotFound):
        referrals.open_landing(session, code=code)


# -- submission and fraud rules -----------------------------------------------------------------------

def test_an_accepted_submission_gets_a_discount_code_email_and_a_note_to_the_referrer(session, code, referrer,
                                                                                     now):
    referral = submit(session, code, now)
    assert referral.state == R.SUBMITTED and referral.rejection_reason is None
    assert referral.discount_code.startswith("FRIEND-") and len(referral.discount_code) == 17
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.dedupe_key == f"referral-welcome:{referral.id}" and mail.to_email == "friend@otherco.com"
    assert referral.discount_code in mail.body_text and referral.discount_code in mail.body_html
    assert count(session, Notification, Notification.advocate_id == referrer.id) == 1
    assert [t.to_state for t in referral.transitions] == [R.SUBMITTED]


def rejected(referral, reason):
    return (referral.state, referral.rejection_reason, referral.discount_code) == (R.REJECTED, reason, None)


def test_the_referrers_own_email_is_a_self_referral(session, code, now):
    referral = submit(session, code, now, email="Rita+test@ACME-corp.com")
    assert rejected(referral, RejectionReason.SELF_REFERRAL)


def test_the_referrers_company_domain_is_a_self_referral(session, code, now):
    referral = submit(session, code, now, email="colleague@acme-corp.com")
    assert rejected(referral, RejectionReason.SAME_COMPANY) and "acme-corp.com" in referral.rejection_message


def test_a_shared_free_mail_domain_is_not_a_self_referral(session, now):
    gmail_user = make_advocate(session, email="rita.r@gmail.com")
    code = referrals.get_or_create_code(session, advocate_id=gmail_user.id, now=now).code
    assert submit(session, code, now, email="someone.else@gmail.com").state == R.SUBMITTED


def test_a_known_prospect_email_is_rejected_whatever_the_case_and_referrer(session, code, now):
    first = submit(session, code, now, email="Pat@Prospect.io")
    other_code = referrals.get_or_create_code(session, advocate_id=make_advocate(session).id, now=now).code
    second = submit(session, other_code, now, email="pat@PROSPECT.io", client="client-2")
    assert first.state == R.SUBMITTED and first.friend_email == "pat@prospect.io"
    assert rejected(second, RejectionReason.KNOWN_PROSPECT) and f"#{first.id}" in second.rejection_message


def test_an_existing_advocate_is_a_known_prospect(session, code, now):
    make_advocate(session, email="already@customer.com")
    assert rejected(submit(session, code, now, email="already@customer.com"), RejectionReason.KNOWN_PROSPECT)


def test_a_rejected_submission_does_not_claim_the_email(session, code, now):
    submit(session, code, now, email="colleague@acme-corp.com")
    other_code = referrals.get_or_create_code(session, advocate_id=make_advocate(session).id, now=now).code
    assert submit(session, other_code, now, email="colleague@acme-corp.com").state == R.SUBMITTED


def test_more_than_the_burst_limit_per_hour_from_one_code_is_rejected(session, code, now):
    save(session, changes={"referral_burst_per_hour": 3}, actor_id=None, now=now)
    results = [submit(session, code, now + timedelta(minutes=i), email=f"p{i}@x{i}.com") for i in range(4)]
    assert [r.state for r in results] == [R.SUBMITTED] * 3 + [R.REJECTED]
    assert results[3].rejection_reason == RejectionReason.BURST
    later = submit(session, code, now + timedelta(minutes=61), email="late@later.com")
    assert later.state == R.SUBMITTED


def test_a_client_over_its_limit_is_refused_and_nothing_is_stored(session, code, now):
    for i in range(2):
        submit(session, code, now, email=f"c{i}@c{i}.com", limit=2)
    with pytest.raises(RateLimited):
        submit(session, code, now, email="c9@c9.com", limit=2)
    assert count(session, Referral) == 2
    assert submit(session, code, now, email="c9@c9.com", limit=2, client="another").state == R.SUBMITTED


@pytest.mark.parametrize(("name", "email", "field"), [
    ("", "a@b.com", "name"), ("Ann", "not-an-email", "email"), ("Ann", "a@b", "email")])
def test_bad_input_is_refused_by_field(session, code, now, name, email, field):
    with pytest.raises(ValidationFailed) as error:
        submit(session, code, now, email=email, name=name)
    assert error.value.field == field and count(session, Referral) == 0


def test_clicks_count_per_code(session, code, now):
    assert referrals.record_click(session, code=code, client_hash="h", now=now)
    assert referrals.record_click(session, code=code, client_hash="h", now=now)
    assert not referrals.record_click(session, code="unknown", client_hash="h", now=now)
    owner = referrals.find_code(session, code).advocate_id
    assert referral_reports.funnel(session, referrer_id=owner).clicks == 2


# -- the state machine and awards ------------------------------------------------------------------------

@pytest.fixture
def marketing(session):
    return make_staff(session, role=StaffRole.MARKETING, name="Mia Marketing")


def move(session, referral, to, marketing, now, **kw):
    return referral_pipeline.move_referral(session, referral_id=referral.id, to=to, staff=marketing, now=now,
                                           **kw)


def test_qualify_then_convert_awards_the_settings_points_once_each(session, code, referrer, marketing, now):
    referral = submit(session, code, now)
    move(session, referral, R.QUALIFIED, marketing, now, note="Demo booked")
    move(session, referral, R.CONVERTED, marketing, now, deal_amount=24_000)
    entries = session.scalars(select(LedgerEntry).where(LedgerEntry.advocate_id == referrer.id)
                              .order_by(LedgerEntry.id)).all()
    assert [(e.amount, e.reason, e.idempotency_key) for e in entries] == [
        (400, LedgerReason.REFERRAL, f"referral-qualified:{referral.id}"),
        (1000, LedgerReason.REFERRAL, f"referral-converted:{referral.id}")]
    assert referral.deal_amount == 24_000 and referral.qualified_at == now and referral.converted_at == now
    history = [(t.from_state, t.to_state, t.actor_name, t.note) for t in referral.transitions]
    assert history == [(None, R.SUBMITTED, "Fran Friend", None), (R.SUBMITTED, R.QUALIFIED, "Mia Marketing",
                       "Demo booked"), (R.QUALIFIED, R.CONVERTED, "Mia Marketing", None)]
    titles = set(session.scalars(select(Notification.title).where(Notification.advocate_id == referrer.id)))
    assert "Fran Friend qualified: +400 points" in titles
    assert ledger.verify(session) == []


def test_qualifying_twice_awards_once(session, code, referrer, marketing, now):
    referral = submit(session, code, now)
    move(session, referral, R.QUALIFIED, marketing, now)
    with pytest.raises(InvalidTransition):
        move(session, referral, R.QUALIFIED, marketing, now)
    assert session.get(type(referrer), referrer.id).balance == 400


def test_converting_twice_awards_once(session, code, referrer, marketing, now):
    referral = submit(session, code, now)
    move(session, referral, R.QUALIFIED, marketing, now)
    move(session, referral, R.CONVERTED, marketing, now, deal_amount=500)
    with pytest.raises(InvalidTransition):
        move(session, referral, R.CONVERTED, marketing, now, deal_amount=500)
    assert count(session, LedgerEntry, LedgerEntry.advocate_id == referrer.id) == 2


def test_the_awards_follow_the_settings(session, code, referrer, marketing, now):
    save(session, changes={"referral_qualified_points": 250}, actor_id=None, now=now)
    move(session, submit(session, code, now), R.QUALIFIED, marketing, now)
    assert session.get(type(referrer), referrer.id).balance == 250


@pytest.mark.parametrize(("path", "refused"), [
    ([], R.CONVERTED), ([R.LOST], R.QUALIFIED), ([R.QUALIFIED, R.CONVERTED], R.LOST),
    ([R.QUALIFIED, R.LOST], R.CONVERTED), ([R.QUALIFIED], R.SUBMITTED)])
def test_moves_outside_the_table_are_refused(session, code, marketing, now, path, refused):
    referral = submit(session, code, now)
    for step in path:
        move(session, referral, step, marketing, now, deal_amount=10)
    with pytest.raises(InvalidTransition):
        move(session, referral, refused, marketing, now, deal_amount=10)


def test_lost_from_submitted_or_qualified_awards_nothing_more(session, code, referrer, marketing, now):
    early = submit(session, code, now, email="early@one.com")
    late = submit(session, code, now, email="late@two.com")
    move(session, early, R.LOST, marketing, now, note="No budget")
    move(session, late, R.QUALIFIED, marketing, now)
    move(session, late, R.LOST, marketing, now)
    assert (early.state, late.state, early.closed_at) == (R.LOST, R.LOST, now)
    assert session.get(type(referrer), referrer.id).balance == 400


def test_a_rejected_referral_cannot_move(session, code, marketing, now):
    referral = submit(session, code, now, email="rita@acme-corp.com")
    with pytest.raises(InvalidTransition):
        move(session, referral, R.QUALIFIED, marketing, now)


@pytest.mark.parametrize("amount", [None, 0, -5, True])
def test_a_conversion_needs_a_positive_deal_amount(session, code, marketing, now, amount):
    referral = submit(session, code, now)
    move(session, referral, R.QUALIFIED, marketing, now)
    with pytest.raises(ValidationFailed) as error:
        move(session, referral, R.CONVERTED, marketing, now, deal_amount=amount)
    assert error.value.field == "deal_amount"


# -- funnels and reach ---------------------------------------------------------------------------------

def test_the_funnel_counts_each_stage(session, code, referrer, marketing, now):
    referrals.record_click(session, code=code, client_hash="h", now=now)
    a, b, c = (submit(session, code, now, email=f"f{i}@f{i}.com") for i in range(3))
    submit(session, code, now, email="rita@acme-corp.com")
    move(session, a, R.QUALIFIED, marketing, now)
    move(session, a, R.CONVERTED, marketing, now, deal_amount=1200)
    move(session, b, R.QUALIFIED, marketing, now)
    move(session, b, R.LOST, marketing, now)
    other = make_advocate(session)
    other_code = referrals.get_or_create_code(session, advocate_id=other.id, now=now).code
    submit(session, other_code, now, email="o@o.com")

    mine = referral_reports.funnel(session, referrer_id=referrer.id)
    assert (mine.clicks, mine.submissions, mine.qualified, mine.converted, mine.lost, mine.rejected,
            mine.revenue) == (1, 3, 2, 1, 1, 1, 1200)
    assert mine.conversion_rate == pytest.approx(1 / 3)
    assert referral_reports.funnel(session).submissions == 4
    assert referral_reports.funnel(session, referrer_id=make_advocate(session).id).conversion_rate is None
    listed = {r.id for r in referral_reports.referrals_of(session, advocate_id=referrer.id)}
    assert listed >= {a.id, b.id, c.id} and len(listed) == 4


def test_a_csm_reaches_only_their_own_advocates_referrals(session, now):
    csm = make_staff(session, role=StaffRole.CSM)
    owned = make_advocate(session, owner_id=csm.id)
    mine = submit(session, referrals.get_or_create_code(session, advocate_id=owned.id, now=now).code, now,
                  email="a@a.com")
    theirs = submit(session, referrals.get_or_create_code(session, advocate_id=make_advocate(session).id,
                                                          now=now).code, now, email="b@b.com")
    assert [r.id for r in referral_reports.staff_list(session, viewer=csm).rows] == [mine.id]
    assert referral_reports.funnel(session, viewer=csm).submissions == 1
    assert referral_reports.get_for_staff(session, viewer=csm, referral_id=mine.id).id == mine.id
    with pytest.raises(NotFound):
        referral_reports.get_for_staff(session, viewer=csm, referral_id=theirs.id)
    assert len(referral_reports.staff_list(session, viewer=make_staff(session)).rows) == 2
