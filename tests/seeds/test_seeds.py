"""The demo seed: catalog of SPEC §2, staff, missions, consistent history, refusal on a second load."""

from sqlalchemy import func, select

import seeds
from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    AskState,
    Attempt,
    AttemptState,
    CustomerSignal,
    LedgerEntry,
    Mission,
    Redemption,
    RedemptionState,
    Referral,
    ReferralClick,
    ReferralState,
    RejectionReason,
    Reward,
    RewardTierBand,
    StaffRole,
    StaffUser,
    Status,
)
from app.services.customers import qualified
from app.services.people import passwords
from app.services.points import leaderboards, ledger
from app.services.triggers import listing as trigger_listing
from seeds.customers import PROSPECTS

SMALL = 30


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_catalog_matches_the_spec(session, now):
    seeds.load_catalog(session, now)
    bands = {b.name: b.points for b in session.scalars(select(RewardTierBand))}
    assert bands == {"Standard": 50, "Plus": 150, "Premium": 400, "Elite": 1000}
    rows = {a.name: a for a in session.scalars(select(ActivityType))}
    expected = {
        "NPS survey": ("low", "Standard", 90, Status.BRONZE),
        "Review on a review site": ("low", "Plus", 180, Status.BRONZE),
        "Testimonial quote": ("low", "Plus", 365, Status.BRONZE),
        "Social post": ("low", "Standard", 14, Status.BRONZE),
        "Referral": ("low", "Premium", 0, Status.BRONZE),
        "Beta feedback": ("medium", "Plus", 30, Status.BRONZE),
        "Reference call": ("medium", "Premium", 60, Status.SILVER),
        "Case study": ("medium", "Elite", 365, Status.SILVER),
        "Webinar guest": ("high", "Elite", 180, Status.GOLD),
        "Conference speaking": ("high", "Elite", 365, Status.GOLD),
        "Advisory board": ("high", "Elite", 365, Status.PLATINUM),
    }
    actual = {name: (a.effort.value, a.reward_tier.name, a.cooldown_days, a.min_status)
              for name, a in rows.items()}
    assert actual == expected
    assert rows["NPS survey"].requires_approval is False
    assert all(a.description for a in rows.values())


def test_demo_loads_a_consistent_program(session, now):
    result = seeds.load(session, advocates=SMALL, now=now)
    session.commit()

    assert count(session, ActivityType) == 11
    assert {s.role for s in session.scalars(select(StaffUser))} == set(StaffRole)
    assert count(session, Advocate) == SMALL + PROSPECTS
    assert ledger.verify(session) == []
    statuses = set(session.scalars(select(Advocate.status)))
    assert statuses == set(Status)
    states = set(session.scalars(select(Attempt.state)))
    assert {AttemptState.APPROVED, AttemptState.SUBMITTED, AttemptState.REJECTED,
            AttemptState.STARTED} <= states
    assert count(session, LedgerEntry) > SMALL
    assert set(session.scalars(select(Ask.state).distinct())) >= {AskState.SENT, AskState.BLOCKED}
    assert count(session, Reward) >= 5 and count(session, Redemption) >= 1
    assert set(session.scalars(select(Referral.state).distinct())) == set(ReferralState)
    assert set(session.scalars(select(Referral.rejection_reason).distinct())) == {None, *RejectionReason}
    assert session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.idempotency_key.like("referral-converted:%"))) == 3
    assert session.scalar(select(func.count()).select_from(ReferralClick)) > 20
    text = result.describe()
    assert "http://127.0.0.1:5000" in text and "rallypoint-demo" in text
    assert "admin@rallypoint.test" in text and "maya.thompson@brightlane.test" in text


def test_demo_missions_cover_the_lifecycle(session, now):
    seeds.load(session, advocates=SMALL, now=now)
    all_missions = session.scalars(select(Mission)).all()
    assert len(all_missions) >= 12
    assert any(m.opens_at > now for m in all_missions)
    assert any(m.closes_at <= now for m in all_missions)
    assert any(m.is_open(now) for m in all_missions)
    limited = [m for m in all_missions if m.completion_limit]
    assert limited and all(m.completed_count <= m.completion_limit for m in limited)
    assert any(m.audience.get("industries") for m in all_missions)


def test_demo_boards_are_alive_and_logins_work(session, now):
    seeds.load(session, advocates=SMALL, now=now)
    for period in ("all", "month", "week"):
        assert leaderboards.board(session, period=period, now=now).rows, period
    maya = session.scalars(select(Advocate).where(Advocate.email == "maya.thompson@brightlane.test")).one()
    assert maya.state == AdvocateState.ACTIVE
    assert passwords.verify_password(maya.password_hash, "rallypoint-demo")
    admin = session.scalars(select(StaffUser).where(StaffUser.role == StaffRole.ADMIN)).one()
    assert passwords.verify_password(admin.password_hash, "rallypoint-demo")


def test_second_load_is_refused_and_changes_nothing(session, now):
    seeds.load(session, advocates=SMALL, now=now)
    session.commit()
    before = [count(session, m) for m in (Advocate, LedgerEntry, Attempt, Mission, StaffUser)]

    assert seeds.load(session, advocates=SMALL, now=now) is None

    session.rollback()
    assert [count(session, m) for m in (Advocate, LedgerEntry, Attempt, Mission, StaffUser)] == before


def test_any_existing_data_blocks_the_seed(session, now):
    from tests.factories import make_staff

    make_staff(session)
    session.commit()
    assert seeds.load(session, advocates=SMALL, now=now) is None
    assert seeds.demo_logins(session) is None


def test_cli_loads_once_then_prints_the_logins(app, session):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed", "demo", "--advocates", str(SMALL)])
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:5000" in first.output and "marketing@rallypoint.test" in first.output

    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0
    assert "Demo already loaded" in again.output and "csm@rallypoint.test" in again.output
    assert count(session, Advocate) == SMALL + PROSPECTS

    verify = runner.invoke(args=["points", "verify"])
    assert verify.exit_code == 0 and "OK" in verify.output


def test_every_printed_demo_login_signs_in_through_the_form(app, session, now):
    import re

    from seeds.people import DEMO_PASSWORD

    seeds.load(session, advocates=SMALL, now=now)
    session.commit()
    emails = re.findall(r"^\s+(\S+@\S+)\s", seeds.demo_logins(session), flags=re.MULTILINE)
    assert len(emails) >= 6
    for email in emails:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert response.headers["Location"] in ("/portal/", "/admin/"), email


def test_demo_pushes_and_trigger_events_leave_asks_in_the_queue(session, now):
    seeds.load(session, advocates=200, now=now)
    queued = session.scalars(select(Ask).where(Ask.state == AskState.QUEUED)).all()
    assert queued and all(a.queued_until > now and a.reason is not None for a in queued)
    events, _ = trigger_listing.recent_events(session)
    assert len(events) == 10
    assert {"sent", "queued", "blocked", "no_rule", "superseded"} <= {r.result for r in events}


def test_demo_redemptions_cover_every_state(session, now):
    seeds.load(session, advocates=200, now=now)
    assert set(session.scalars(select(Redemption.state).distinct())) == set(RedemptionState)
    assert ledger.verify(session) == []


def test_demo_customers_have_signals_scores_and_a_qualified_list(session, now):
    result = seeds.load(session, advocates=200, now=now)
    assert result.counts["prospects"] == PROSPECTS and "100 customers not yet invited" in result.describe()
    assert count(session, CustomerSignal) == count(session, Advocate) == 200 + PROSPECTS
    assert session.scalar(select(func.count()).select_from(Advocate)
                          .where(Advocate.readiness_score.is_(None))) == 0
    active = Advocate.state == AdvocateState.ACTIVE
    assert {1, 2, 3} <= set(session.scalars(select(Advocate.readiness_tier).where(active)))
    page = qualified.qualified_page(session, now=now)
    assert set(page.by_tier) == {1, 2, 3} and page.total >= 20
    assert any(row.invite_state == "not invited" for row in page.rows)
    assert ledger.verify(session) == []


def test_demo_references_cover_the_chain(session, now):
    from app.models import LedgerEntry, ReferenceAsk, ReferenceRequest, ReferenceRequestState
    from seeds import load

    load(session, now=now)
    states = set(session.scalars(select(ReferenceRequest.state)))
    assert {ReferenceRequestState.OPEN, ReferenceRequestState.ASKED, ReferenceRequestState.ACCEPTED,
            ReferenceRequestState.COMPLETED} <= states
    assert session.scalar(select(func.count()).select_from(ReferenceAsk).where(
        ReferenceAsk.state == "timed_out")) == 1
    assert session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.idempotency_key.startswith("reference-call:"))) == 1


def test_demo_content_library_has_consented_published_and_case_study_items(session, now):
    from app.models import ContentItem, ContentState, ContentUse, FeedItem
    from app.services import content

    result = seeds.load(session, advocates=SMALL, now=now)
    items = session.scalars(select(ContentItem)).all()
    assert result.counts["content_items"] == len(items) >= 5
    states = {i.state for i in items}
    assert {ContentState.DRAFT, ContentState.AWAITING_AUTHOR, ContentState.APPROVED} <= states
    assert any(i.rating for i in items) and any(i.advocate_id is None for i in items)
    published = [i for i in items if i.published_at is not None]
    assert published
    assert all(content.is_usable(session, item_id=i.id, use=ContentUse.WEBSITE) for i in published)
    in_feed = select(func.count()).select_from(FeedItem).where(FeedItem.kind == "testimonial")
    assert session.scalar(in_feed) == len(published)


def test_demo_opportunities_give_the_figures_sourced_and_influenced_revenue(session, now):
    from app.models import Opportunity
    from app.services.analytics import kpis
    from seeds import load

    result = load(session, now=now)
    assert result.counts["opportunities"] == count(session, Opportunity) == 7
    period = kpis.period(first=None, last=None, now=now, timezone="UTC")
    a = kpis.program_figures(session, period=period, now=now).attribution
    assert a.won == 5 and a.sourced_deals >= 1 and a.influenced >= 3
    assert a.influenced_cents > a.sourced_deals_cents > 0
