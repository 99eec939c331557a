"""Status rules (SPEC §5): points plus a qualifying activity or tenure; promotion inside the award;
the way to each unmet requirement."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import ActivityKind, LedgerReason, Notification, Status, StatusChange
from app.services import missions
from app.services.errors import ValidationFailed
from app.services.missions import eligibility
from app.services.missions.attempts import EvidenceInput
from app.services.periods import add_months
from app.services.points import ledger
from app.services.points import status as status_service
from tests.factories import make_activity, make_advocate, make_mission, make_staff

_keys = iter(range(1, 10_000))


def award(session, advocate, amount, now, reason=LedgerReason.BONUS):
    return ledger.post_entry(session, advocate_id=advocate.id, amount=amount, reason=reason,
                             idempotency_key=f"test:{next(_keys)}", now=now)


def complete(session, advocate, kind, now, points=10):
    """Take a mission of this kind through start, submit and approval."""
    mission = make_mission(session, activity=make_activity(session, kind=kind, points=points))
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                            evidence=EvidenceInput(link="https://example.com/proof"), now=now)
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=attempt.id, now=now)
    return attempt


def changes(session, advocate):
    return session.scalars(select(StatusChange).where(StatusChange.advocate_id == advocate.id)
                           .order_by(StatusChange.id)).all()


@pytest.mark.parametrize("kind", [ActivityKind.REVIEW, ActivityKind.TESTIMONIAL])
def test_silver_needs_the_points_and_an_approved_review_or_testimonial(session, now, kind):
    advocate = make_advocate(session)
    award(session, advocate, 1000, now)
    assert advocate.status == Status.BRONZE
    complete(session, advocate, kind, now)
    assert advocate.status == Status.SILVER


def test_a_review_alone_is_not_enough_for_silver(session, now):
    advocate = make_advocate(session)
    complete(session, advocate, ActivityKind.REVIEW, now, points=999)
    assert advocate.status == Status.BRONZE
    award(session, advocate, 1, now)
    assert advocate.status == Status.SILVER


def test_a_reference_call_no_longer_qualifies_for_silver(session, now):
    advocate = make_advocate(session)
    complete(session, advocate, ActivityKind.REFERENCE_CALL, now, points=600)
    award(session, advocate, 600, now, reason=LedgerReason.REFERENCE)
    assert advocate.lifetime_points == 1200 and advocate.status == Status.BRONZE
    [points, act] = status_service.requirements_for(session, advocate, Status.SILVER, now)
    assert points.done and not act.done and act.label == "One approved review or testimonial"


def test_the_qualifying_kinds_are_a_setting_and_a_reference_award_counts_for_reference_calls(session, now):
    from app.services.program import settings

    make_activity(session, kind=ActivityKind.REFERENCE_CALL)  # offered from Bronze: Silver stays reachable
    settings.save(session, changes={"silver_qualifying_kinds": ["reference_call"]}, actor_id=None, now=now)
    reviewer, referee = make_advocate(session), make_advocate(session)
    complete(session, reviewer, ActivityKind.REVIEW, now, points=1000)
    assert reviewer.status == Status.BRONZE
    award(session, referee, 1000, now, reason=LedgerReason.REFERENCE)
    assert referee.status == Status.SILVER


def test_promotion_happens_inside_the_award_with_a_notification_and_a_change_record(session, now):
    advocate = make_advocate(session)
    complete(session, advocate, ActivityKind.TESTIMONIAL, now)
    result = award(session, advocate, 1000, now)
    [change] = result.promotions
    assert (change.from_status, change.to_status, change.at, change.actor_id) == (
        Status.BRONZE, Status.SILVER, now, None)
    assert changes(session, advocate) == [change]
    note = session.scalars(select(Notification).where(Notification.kind == "status")).one()
    assert "Silver" in note.title and note.advocate_id == advocate.id
    assert advocate.status_since == now


def test_gold_needs_the_points_and_a_published_case_study(session, now):
    advocate = make_advocate(session, status=Status.SILVER)
    award(session, advocate, 3000, now)
    assert advocate.status == Status.SILVER
    complete(session, advocate, ActivityKind.CASE_STUDY, now)
    assert advocate.status == Status.GOLD


def test_an_unapproved_case_study_does_not_count(session, now):
    advocate = make_advocate(session, status=Status.SILVER)
    mission = make_mission(session, activity=make_activity(session, kind=ActivityKind.CASE_STUDY))
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                            evidence=EvidenceInput(link="https://example.com/cs"), now=now)
    award(session, advocate, 3000, now)
    assert advocate.status == Status.SILVER


def test_one_award_can_promote_step_by_step_through_several_statuses(session, now):
    advocate = make_advocate(session)
    complete(session, advocate, ActivityKind.REVIEW, now)
    complete(session, advocate, ActivityKind.CASE_STUDY, now)
    result = award(session, advocate, 8000, now)
    assert [(c.from_status, c.to_status) for c in result.promotions] == [
        (Status.BRONZE, Status.SILVER), (Status.SILVER, Status.GOLD)]
    assert advocate.status == Status.GOLD  # Platinum also needs six months at Gold


@pytest.mark.parametrize(("offset", "expected"), [
    (timedelta(seconds=-1), Status.GOLD),
    (timedelta(0), Status.PLATINUM),
    (timedelta(days=1), Status.PLATINUM),
])
def test_platinum_needs_the_points_and_gold_held_six_months(session, now, offset, expected):
    gold_since = now - timedelta(days=400)
    advocate = make_advocate(session, status=Status.GOLD, status_since=gold_since, lifetime_points=7400)
    award(session, advocate, 100, add_months(gold_since, 6) + offset)
    assert advocate.status == expected


def test_platinum_needs_the_points_even_after_long_gold_tenure(session, now):
    advocate = make_advocate(session, status=Status.GOLD, status_since=now - timedelta(days=400))
    award(session, advocate, 7499, now)
    assert advocate.status == Status.GOLD


def test_spending_points_never_lowers_status(session, now):
    advocate = make_advocate(session)
    complete(session, advocate, ActivityKind.REVIEW, now, points=1000)
    assert advocate.status == Status.SILVER
    award(session, advocate, -1000, now, reason=LedgerReason.REDEMPTION)
    assert advocate.status == Status.SILVER and advocate.balance == 0 and advocate.lifetime_points == 1000


def test_raising_thresholds_never_lowers_status_on_the_next_award(session, now):
    from app.services.program import settings

    advocate = make_advocate(session, status=Status.GOLD, lifetime_points=3000)
    settings.save(session, changes={"silver_points": 5000, "gold_points": 9000, "platinum_points": 20000},
                  actor_id=None, now=now)
    award(session, advocate, 10, now)
    assert advocate.status == Status.GOLD
    assert changes(session, advocate) == []


def test_staff_can_set_a_status_with_a_reason(session, now):
    advocate = make_advocate(session, status=Status.GOLD)
    staff = make_staff(session)
    change = status_service.set_status(session, advocate=advocate, to=Status.SILVER, reason=" Left company ",
                                       actor_id=staff.id, now=now)
    assert advocate.status == Status.SILVER
    assert (change.from_status, change.to_status, change.reason, change.actor_id) == (
        Status.GOLD, Status.SILVER, "Left company", staff.id)
    assert session.scalars(select(Notification).where(Notification.kind == "status")).one().body == (
        "Left company")


@pytest.mark.parametrize(("to", "reason", "field"), [
    (Status.SILVER, "  ", "reason"),
    (Status.SILVER, "", "reason"),
    (Status.GOLD, "Same again", "status"),
])
def test_setting_a_status_needs_a_reason_and_a_change(session, now, to, reason, field):
    advocate = make_advocate(session, status=Status.GOLD)
    with pytest.raises(ValidationFailed) as error:
        status_service.set_status(session, advocate=advocate, to=to, reason=reason,
                                  actor_id=make_staff(session).id, now=now)
    assert error.value.field == field
    assert advocate.status == Status.GOLD and changes(session, advocate) == []


def test_progress_shows_the_next_status_its_requirements_and_perks(session, now):
    advocate = make_advocate(session, lifetime_points=250)
    progress = status_service.progress(
        session, advocate, now, offers=eligibility.offers_for(session, advocate, now))
    assert (progress.status, progress.next_status) == (Status.BRONZE, Status.SILVER)
    assert (progress.points_needed, progress.percent) == (750, 25)
    assert [r.done for r in progress.requirements] == [False, False]
    assert progress.requirements[0].detail == "250 so far, 750 to go"
    assert progress.requirements[1].label == "One approved review or testimonial"
    assert set(progress.perks) == set(Status)


def test_progress_for_platinum_has_nothing_left(session, now):
    advocate = make_advocate(session, status=Status.PLATINUM, lifetime_points=9000)
    progress = status_service.progress(
        session, advocate, now, offers=eligibility.offers_for(session, advocate, now))
    assert (progress.next_status, progress.percent, progress.requirements) == (None, 100, [])


def test_platinum_progress_reports_gold_tenure(session, now):
    advocate = make_advocate(session, status=Status.GOLD, status_since=now - timedelta(days=30))
    reqs = status_service.requirements_for(session, advocate, Status.PLATINUM, now)
    assert reqs[1].done is False and "Gold since" in reqs[1].detail
    assert reqs[1].due == add_months(now - timedelta(days=30), 6)
