"""Erasure: after it, the advocate's old name and email are readable nowhere in the database, their
evidence is gone, and the ledger, cached totals and `points verify` are exactly as before."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AccountEvent,
    Advocate,
    AdvocateState,
    ApiScope,
    Attempt,
    CustomerSignal,
    EventKind,
    Evidence,
    IdempotencyRecord,
    LedgerEntry,
    LoginSession,
    Notification,
    OutboxMessage,
    PasswordReset,
    PeriodTotal,
    ReferenceAsk,
    ReferenceAskState,
    ReferenceFeedback,
    ReferenceProfile,
    ReferenceRequest,
    ReferenceRequestState,
    StaffRole,
)
from app.services import missions, references, referrals, rewards
from app.services.api import keys as api_keys
from app.services.errors import Conflict, ValidationFailed
from app.services.people import erasure, sign_in
from app.services.people import sessions as login_sessions
from app.services.points import leaderboards, ledger
from tests.factories import (
    PASSWORD,
    fund,
    make_activity,
    make_advocate,
    make_mission,
    make_reward,
    make_staff,
    make_submitted_attempt,
)

NAME, EMAIL = "Zelda Quintero-Marsh", "zelda.q@northwind.example"


def _text_values(session) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text and JSON value in the database."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            found.extend((table.name, c.name, str(v)) for c, v in zip(columns, row, strict=True) if v)
    return found


def _readable(session, *needles: str) -> list[tuple[str, str, str]]:
    return [hit for hit in _text_values(session) if any(n.lower() in hit[2].lower() for n in needles)]


@pytest.fixture
def rich(session, now):
    """An advocate with a bit of everything: evidence of each kind, points, a redemption, a referral,
    notifications and emails to them and about them, sign-in failures, a stored API response."""
    staff = make_staff(session, role=StaffRole.MARKETING, name="Maria Staff")
    advocate = make_advocate(session, name=NAME, email=EMAIL, external_id="CRM-77", company="Northwind",
                             title="VP Ops", tags=["beta"], nps=10, health_score=90, owner_id=staff.id)
    session.add(CustomerSignal(advocate_id=advocate.id, purchase_count=3, usage_depth=70, updated_at=now))
    approved = make_submitted_attempt(session, advocate=advocate, link="https://blog.example/zelda-review")
    missions.approve_attempt(session, staff=staff, attempt_id=approved.id, now=now)
    text = make_mission(session, activity=make_activity(session, evidence=Evidence.TEXT))
    make_submitted_attempt(session, advocate=advocate, mission=text, text=f"I am {NAME} and I love it")
    filed = missions.start_mission(session, advocate=advocate, mission_id=make_mission(session).id, now=now)
    filed.evidence_file, filed.evidence_filename = "a" * 32, "zelda-slides.pdf"
    fund(session, advocate, 500)
    rewards.redeem(session, advocate=advocate, reward_id=make_reward(session).id, request_key="r1", now=now,
                   note="Size M")
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now)
    friend = referrals.Friend("Pat Friend", "pat@friend.example")
    referrals.submit_referral(session, code=code.code, friend=friend, client_hash="h", now=now,
                              client_limit=10, client_window_minutes=60)
    key = api_keys.create_key(session, name="CRM", scope=ApiScope.WRITE, created_by=staff, now=now).key
    _reference_call(session, now, advocate)
    session.add_all([
        Notification(staff_id=staff.id, kind="escalation", title=f"{NAME} is waiting",
                     body=f"Approve {NAME}'s review ({EMAIL})", created_at=now),
        OutboxMessage(dedupe_key="x1", kind="escalation", to_email=staff.email, subject=f"About {NAME}",
                      body_text=f"{NAME} <{EMAIL}> submitted", staff_id=staff.id, created_at=now,
                      next_attempt_at=now),
        OutboxMessage(dedupe_key="x2", kind="ask", to_email=EMAIL, subject="A mission for you",
                      body_text=f"Hi {NAME}", advocate_id=advocate.id, created_at=now, next_attempt_at=now),
        LoginSession(token_hash="1" * 64, advocate_id=advocate.id, created_at=now, expires_at=now,
                     ip="10.0.0.9", user_agent="Their phone"),
        PasswordReset(token_hash="2" * 64, advocate_id=advocate.id, created_at=now, expires_at=now),
        IdempotencyRecord(api_key_id=key.id, key="k", request_hash="0" * 64, status_code=200,
                          body=f'{{"name":"{NAME}","email":"{EMAIL}"}}', created_at=now),
    ])
    session.flush()
    assert _readable(session, NAME, EMAIL)  # the scan sees them before
    return advocate


def _reference_call(session, now, advocate):
    """A reference call they took, their feedback signed with their name and the salesperson's naming them."""
    references.set_profile(session, advocate_id=advocate.id, opted_in=True, use_cases=["sso"], now=now)
    request = ReferenceRequest(prospect_company="Contoso", state=ReferenceRequestState.COMPLETED,
                               created_at=now)
    session.add(request)
    session.flush()
    ask = ReferenceAsk(request_id=request.id, advocate_id=advocate.id, rank=1, fit_score=90,
                       state=ReferenceAskState.COMPLETED, sent_at=now, due_at=now)
    session.add(ask)
    session.flush()
    session.add_all([
        ReferenceFeedback(ask_id=ask.id, side="advocate", rating=5, text="I spoke about our SSO rollout",
                          author=NAME, created_at=now),
        ReferenceFeedback(ask_id=ask.id, side="sales", rating=5, text=f"{NAME} was great", created_at=now)])


def test_erasure_leaves_no_personal_field_readable_and_the_ledger_whole(session, now, rich):
    advocate = rich
    entries = session.execute(select(LedgerEntry.id, LedgerEntry.amount, LedgerEntry.note)
                              .order_by(LedgerEntry.id)).all()
    periods = session.execute(select(PeriodTotal.period, PeriodTotal.points)
                              .where(PeriodTotal.advocate_id == advocate.id)).all()
    totals = (advocate.balance, advocate.lifetime_points, advocate.status)
    assert ledger.verify(session) == [] and totals[0] > 0

    result = erasure.erase_my_data(session, advocate=advocate, password=PASSWORD, now=now)
    session.expire_all()

    assert _readable(session, NAME, EMAIL, "CRM-77", "Northwind", "zelda-slides", "blog.example/zelda",
                     "SSO rollout") == []
    assert session.get(ReferenceProfile, advocate.id) is None
    advocate = session.get(Advocate, advocate.id)
    assert advocate.name == erasure.ERASED_NAME and advocate.email.endswith("@erased.invalid")
    assert (advocate.state, advocate.erased_at) == (AdvocateState.OPTED_OUT, now)
    assert advocate.password_hash is None
    assert (advocate.company, advocate.title, advocate.tags, advocate.external_id, advocate.nps) == (
        "", "", [], None, None)
    assert session.get(CustomerSignal, advocate.id) is None
    for model in (LoginSession, PasswordReset):  # sign-in records name their browser
        assert session.scalar(select(func.count()).select_from(model)
                              .where(model.advocate_id == advocate.id)) == 0
    assert session.scalars(select(Attempt.evidence_text).where(Attempt.advocate_id == advocate.id)).all() == [
        None] * 3
    assert result.files == ["a" * 32]
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.advocate_id == advocate.id)) == 0
    theirs = session.scalars(select(OutboxMessage).where(OutboxMessage.advocate_id == advocate.id)).one()
    assert theirs.failed_at == now and theirs.body_text == "" and theirs.to_email == advocate.email

    assert (advocate.balance, advocate.lifetime_points, advocate.status) == totals
    assert session.execute(select(LedgerEntry.id, LedgerEntry.amount, LedgerEntry.note)
                           .order_by(LedgerEntry.id)).all() == entries
    assert session.execute(select(PeriodTotal.period, PeriodTotal.points)
                           .where(PeriodTotal.advocate_id == advocate.id)).all() == periods
    assert ledger.verify(session) == []
    kinds = session.scalars(select(AccountEvent.kind).where(AccountEvent.advocate_id == advocate.id)
                            .order_by(AccountEvent.id)).all()
    assert kinds == [EventKind.STATE, EventKind.ERASED]


def test_an_erased_advocate_cannot_sign_in_and_is_anonymous(session, now, rich):
    token = login_sessions.start(session, user=rich, now=now, lifetime=timedelta(days=14))
    erasure.erase_my_data(session, advocate=rich, password=PASSWORD, now=now)
    assert login_sessions.load_user(session, token=token, now=now) is None
    assert session.scalar(select(func.count()).select_from(LoginSession)
                          .where(LoginSession.advocate_id == rich.id)) == 0
    assert rich.state in leaderboards.ANONYMOUS_STATES
    with pytest.raises(ValidationFailed):
        sign_in.sign_in(session, email=EMAIL, password=PASSWORD, ip="1.1.1.1", now=now,
                        policy=sign_in.ThrottlePolicy(5, 100, timedelta(minutes=15)), commit=session.flush)


def test_erasure_needs_the_current_password_and_happens_once(session, now):
    advocate = make_advocate(session, name=NAME, email=EMAIL)
    with pytest.raises(ValidationFailed) as error:
        erasure.erase_my_data(session, advocate=advocate, password="not my password", now=now)
    assert error.value.field == "password" and advocate.name == NAME and advocate.erased_at is None
    erasure.erase_my_data(session, advocate=advocate, password=PASSWORD, now=now)
    with pytest.raises(Conflict):
        erasure.erase_my_data(session, advocate=advocate, password=PASSWORD, now=now)


def test_placeholders_are_unique(session, now):
    first, second = make_advocate(session), make_advocate(session)
    for advocate in (first, second):
        erasure.erase_advocate(session, advocate=advocate, now=now)
    assert first.email != second.email
