"""The approval queue's pages (filters, sorting, keyset pages stable while submissions arrive, counts)
and its bulk decisions (each award exactly once, through the single services)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Attempt, AttemptState, LedgerEntry, Notification
from app.services import clock, missions
from app.services.errors import ValidationFailed
from tests.factories import make_activity, make_advocate, make_mission, make_staff, make_submitted_attempt


def submit(session, *, minutes_ago: int, activity=None, points_override=None, **advocate):
    mission = make_mission(session, activity=activity or make_activity(session),
                           points_override=points_override)
    attempt = make_submitted_attempt(session, advocate=make_advocate(session, **advocate), mission=mission)
    attempt.submitted_at = clock.utcnow() - timedelta(minutes=minutes_ago)
    session.flush()
    return attempt


def ids(page) -> list[int]:
    return [row.attempt.id for row in page.rows]


def walk(session, filters, now, size=3) -> list[int]:
    seen, cursor = [], None
    while True:
        page = missions.queue_page(session, filters=filters, now=now, cursor=cursor, size=size)
        seen += ids(page)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def ledger_keys(session) -> list[str]:
    return session.scalars(select(LedgerEntry.idempotency_key).where(
        LedgerEntry.idempotency_key.like("mission-attempt:%"))).all()


@pytest.mark.parametrize("sort", ["oldest", "newest"])
def test_pages_stay_put_while_new_submissions_arrive(session, now, sort):
    made = [submit(session, minutes_ago=100 - n).id for n in range(7)]  # oldest first
    filters = missions.QueueFilters(sort=sort)
    first = missions.queue_page(session, filters=filters, now=now, size=3)
    order = made if sort == "oldest" else made[::-1]
    assert ids(first) == order[:3] and first.before == 0 and first.matching == 7
    arrived = [submit(session, minutes_ago=0).id for _ in range(2)]  # newer than all of them
    second = missions.queue_page(session, filters=filters, now=now, cursor=first.next_cursor, size=3)
    assert ids(second) == order[3:6] and second.matching == 9
    assert second.before == (3 if sort == "oldest" else 5)  # newest first: the arrivals are ahead of it
    third = missions.queue_page(session, filters=filters, now=now, cursor=second.next_cursor, size=3)
    expected = order[6:] + arrived if sort == "oldest" else order[6:]
    assert ids(third) == expected[:3]
    assert not set(ids(third)) & set(ids(first) + ids(second))


@pytest.mark.parametrize("sort", ["oldest", "newest", "points"])
def test_previous_page_walks_back_to_the_same_pages(session, now, sort):
    for n in range(8):
        submit(session, minutes_ago=100 - n, points_override=(n % 3 + 1) * 10)
    filters = missions.QueueFilters(sort=sort)
    pages, cursor = [], None
    while True:
        page = missions.queue_page(session, filters=filters, now=now, cursor=cursor, size=3)
        pages.append((cursor, page))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [len(p.rows) for _, p in pages] == [3, 3, 2]
    assert pages[0][1].previous_cursor is None and pages[1][1].previous_cursor is None  # back to the first
    assert pages[2][1].previous_cursor == pages[1][0]
    back = missions.queue_page(session, filters=filters, now=now, cursor=pages[2][1].previous_cursor, size=3)
    assert ids(back) == ids(pages[1][1])


def test_a_decision_on_an_earlier_page_does_not_shift_the_next(session, now):
    made = [submit(session, minutes_ago=100 - n).id for n in range(6)]
    first = missions.queue_page(session, filters=missions.QueueFilters(), now=now, size=3)
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=made[0], now=now)
    second = missions.queue_page(session, filters=missions.QueueFilters(), now=now, cursor=first.next_cursor,
                                 size=3)
    assert ids(second) == made[3:]


def test_filters_by_activity_age_advocate_and_company_and_counts(session, now):
    review, story = make_activity(session, name="Review"), make_activity(session, name="Story")
    dana = submit(session, minutes_ago=60 * 24 * 4, activity=review, name="Dana Reyes", company="Acme")
    lee = submit(session, minutes_ago=60 * 30, activity=story, name="Lee Park", company="Globex",
                 email="lee@globex.example")
    sam = submit(session, minutes_ago=10, activity=review, name="Sam 100%", company="Acme Europe")

    def found(**kw):
        return ids(missions.queue_page(session, filters=missions.QueueFilters(**kw), now=now))

    assert found() == [dana.id, lee.id, sam.id]
    assert found(activity_id=review.id) == [dana.id, sam.id]
    assert found(age="new") == [sam.id]
    assert found(age="1") == [dana.id, lee.id]
    assert found(age="3") == [dana.id]
    assert found(advocate="reyes") == [dana.id] and found(advocate="GLOBEX.example") == [lee.id]
    assert found(advocate="100%") == [sam.id]
    assert found(advocate="m_1") == [] and found(advocate="re%s") == []  # characters, not wildcards
    assert found(company="acme") == [dana.id, sam.id]
    assert found(company="acme", activity_id=story.id) == []
    page = missions.queue_page(session, filters=missions.QueueFilters(company="acme"), now=now)
    assert (page.matching, page.waiting, page.overdue) == (2, 3, 1)
    assert page.by_activity == {review.id: 2, story.id: 1}


def test_sorting_by_points_pages_through_everything_once(session, now):
    tier = {points: make_activity(session, points=points) for points in (100, 400)}
    made = [submit(session, minutes_ago=50 - n, activity=tier[100 if n % 2 else 400]) for n in range(6)]
    made.append(submit(session, minutes_ago=1, activity=tier[100], points_override=900))
    by_points = walk(session, missions.QueueFilters(sort="points"), now, size=2)
    assert by_points == [made[6].id] + [a.id for a in made[0:6:2]] + [a.id for a in made[1:6:2]]
    page = missions.queue_page(session, filters=missions.QueueFilters(sort="points"), now=now, size=3)
    assert [row.points for row in page.rows] == [900, 400, 400]


def test_a_malformed_cursor_is_the_first_page(session, now):
    made = [submit(session, minutes_ago=10 - n).id for n in range(2)]
    for cursor in ("nonsense", "1.2.3.4", "20260101.x", ""):
        page = missions.queue_page(session, filters=missions.QueueFilters(), now=now, cursor=cursor)
        assert ids(page) == made


def test_link_domain_and_image_are_read_safely(session, now):
    attempt = submit(session, minutes_ago=1)
    row = missions.QueueRow(attempt, 100)
    attempt.evidence_link = "https://www.g2.com/products/x"
    assert row.link_domain == "g2.com"
    attempt.evidence_link = "http://[not a host"
    assert row.link_domain == ""
    attempt.evidence_file, attempt.evidence_mimetype = "abc.png", "image/png"
    assert row.has_image
    attempt.evidence_mimetype = "application/pdf"
    assert not row.has_image


def test_bulk_approve_awards_each_of_fifty_exactly_once_even_when_repeated(session, now):
    staff = make_staff(session)
    made = [submit(session, minutes_ago=60 - n, activity=make_activity(session, points=100 + n))
            for n in range(50)]
    chosen = [a.id for a in made]
    result = missions.bulk_decide(session, staff=staff, attempt_ids=chosen, approve=True, reason=None,
                                  now=now)
    assert sorted(result.decided) == sorted(chosen) and result.skipped == {}
    assert result.points == sum(100 + n for n in range(50))
    again = missions.bulk_decide(session, staff=staff, attempt_ids=chosen + chosen, approve=True, reason=None,
                                 now=now)
    assert again.decided == {} and sorted(again.skipped) == sorted(chosen)
    assert sorted(ledger_keys(session)) == sorted(f"mission-attempt:{i}" for i in chosen)
    for n, attempt in enumerate(made):
        session.refresh(attempt.advocate)
        assert attempt.advocate.balance == 100 + n
    approved = select(func.count()).select_from(Notification).where(Notification.kind == "approved")
    assert session.scalar(approved) == 50


def test_bulk_skips_what_someone_else_decided_and_decides_the_rest(session, now):
    staff = make_staff(session)
    first, taken, last = (submit(session, minutes_ago=10 - n) for n in range(3))
    missions.reject_attempt(session, staff=staff, attempt_id=taken.id, reason="No", now=now)
    result = missions.bulk_decide(session, staff=staff, attempt_ids=[first.id, taken.id, last.id, 999_999],
                                  approve=True, reason="Nice work", now=now)
    assert sorted(result.decided) == [first.id, last.id] and sorted(result.skipped) == [taken.id, 999_999]
    assert ledger_keys(session) == [f"mission-attempt:{first.id}", f"mission-attempt:{last.id}"]
    assert session.get(Attempt, taken.id).state == AttemptState.REJECTED
    assert session.get(Attempt, first.id).transitions[-1].reason == "Nice work"


def test_bulk_reject_needs_a_reason_and_then_tells_each_advocate(session, now):
    staff = make_staff(session)
    made = [submit(session, minutes_ago=5 - n) for n in range(3)]
    chosen = [a.id for a in made]
    with pytest.raises(ValidationFailed) as refused:
        missions.bulk_decide(session, staff=staff, attempt_ids=chosen, approve=False, reason="  ", now=now)
    assert refused.value.field == "reason"
    assert {a.state for a in session.scalars(select(Attempt)).all()} == {AttemptState.SUBMITTED}
    result = missions.bulk_decide(session, staff=staff, attempt_ids=chosen, approve=False,
                                  reason="Links must be public.", now=now)
    assert sorted(result.decided) == sorted(chosen)
    for attempt in made:
        session.refresh(attempt)
        assert attempt.state == AttemptState.REJECTED and attempt.decision_reason == "Links must be public."
    assert ledger_keys(session) == []


def test_bulk_needs_a_selection_and_has_a_ceiling(session, now):
    staff = make_staff(session)
    with pytest.raises(ValidationFailed):
        missions.bulk_decide(session, staff=staff, attempt_ids=[], approve=True, reason=None, now=now)
    with pytest.raises(ValidationFailed):
        missions.bulk_decide(session, staff=staff, attempt_ids=list(range(1, 202)), approve=True, reason=None,
                             now=now)
