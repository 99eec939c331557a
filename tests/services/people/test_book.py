"""A CSM's book: their advocates only, the escalations waiting on them, the asks waiting to go out."""

from datetime import timedelta

from app.models import Ask, AskReason, AskState, StaffRole
from app.services import missions as missions_service
from app.services.people import csm_book
from tests.factories import make_advocate, make_mission, make_staff

DAY = timedelta(days=1)


def _started(session, advocate, now, due_in):
    attempt = missions_service.start_mission(session, advocate=advocate, mission_id=make_mission(session).id,
                                             now=now)
    attempt.deadline_at = now + due_in
    session.flush()
    return attempt


def _queued(session, advocate, now, until):
    mission = make_mission(session)
    session.add(Ask(advocate_id=advocate.id, mission_id=mission.id, activity_id=mission.activity_id,
                    state=AskState.QUEUED, reason=AskReason.FREQUENCY_CAP, queued_until=until,
                    created_at=now))
    session.flush()


def test_the_book_holds_only_the_csms_advocates_and_what_waits_on_them(session, now):
    csm, other = make_staff(session, role=StaffRole.CSM), make_staff(session, role=StaffRole.CSM)
    zoe, adam = make_advocate(session, name="Zoe", owner_id=csm.id), make_advocate(session, name="Adam",
                                                                                  owner_id=csm.id)
    stranger = make_advocate(session, name="Stranger", owner_id=other.id)
    soon = _started(session, zoe, now, due_in=DAY)
    _started(session, adam, now, due_in=10 * DAY)  # not within the 2 escalation days
    _started(session, stranger, now, due_in=DAY)  # another CSM's
    _queued(session, adam, now, until=now + 3 * DAY)
    _queued(session, zoe, now, until=now + DAY)
    _queued(session, stranger, now, until=now + DAY / 2)

    book = csm_book(session, csm=csm, now=now, escalate_days_before=2)

    assert book.advocate_count == 2
    assert [a.name for a in book.advocates] == ["Adam", "Zoe"]
    assert [(e.attempt_id, e.advocate_name) for e in book.escalations] == [(soon.id, "Zoe")]
    assert (book.asks_queued, book.next_ask_at) == (2, now + DAY)


def test_an_empty_book(session, now):
    book = csm_book(session, csm=make_staff(session, role=StaffRole.CSM), now=now, escalate_days_before=2)
    assert (book.advocate_count, book.advocates, book.escalations, book.asks_queued) == (0, [], [], 0)
