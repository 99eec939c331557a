"""In-app notifications: one implementation reads an advocate's or a staff user's own, never another's."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from app.services.messaging import notifications
from tests.factories import make_advocate, make_staff


def _note(session, now, key, **recipient):
    assert notifications.notify(session, kind="escalation", title=f"Note {key}", body="", link=None,
                                dedupe_key=key, now=now, **recipient)


@pytest.fixture
def people(session, now):
    staff, other_staff = make_staff(session), make_staff(session)
    advocate = make_advocate(session)
    # Staff and advocates are numbered separately: the same id must not mix their notifications.
    assert staff.id == advocate.id
    _note(session, now, "s1", staff_id=staff.id)
    _note(session, now, "s2", staff_id=staff.id)
    _note(session, now, "o1", staff_id=other_staff.id)
    _note(session, now, "a1", advocate_id=advocate.id)
    return staff, other_staff, advocate


def test_staff_read_only_their_own_notifications(session, now, people):
    staff, other_staff, advocate = people
    assert notifications.unread_count(session, staff_id=staff.id) == 2
    assert [n.dedupe_key for n in notifications.recent(session, staff_id=staff.id)] == ["s2", "s1"]
    assert [n.dedupe_key for n in notifications.recent(session, staff_id=other_staff.id)] == ["o1"]
    assert notifications.unread_count(session, advocate_id=advocate.id) == 1


def test_marking_read_touches_only_the_one_recipient(session, now, people):
    staff, other_staff, advocate = people
    assert notifications.mark_all_read(session, staff_id=staff.id, now=now) == 2
    assert notifications.unread_count(session, staff_id=staff.id) == 0
    assert notifications.unread_count(session, staff_id=other_staff.id) == 1
    assert notifications.unread_count(session, advocate_id=advocate.id) == 1
    assert notifications.mark_all_read(session, staff_id=staff.id, now=now) == 0


@pytest.mark.parametrize("recipient", [{}, {"advocate_id": 1, "staff_id": 1}])
def test_exactly_one_recipient_is_required(session, recipient):
    with pytest.raises(ValueError, match="exactly one"):
        notifications.unread_count(session, **recipient)
    with pytest.raises(ValueError, match="exactly one"):
        notifications.recent(session, **recipient)


def test_recipient_of_names_the_right_column(session):
    staff, advocate = make_staff(session), make_advocate(session)
    assert notifications.recipient_of(staff) == {"staff_id": staff.id}
    assert notifications.recipient_of(advocate) == {"advocate_id": advocate.id}


def test_the_unread_count_is_one_query(session, now, people):
    staff = people[0]
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listen)
    try:
        notifications.unread_count(session, staff_id=staff.id)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listen)
    assert len(statements) == 1 and "count" in statements[0].lower()


def test_recent_is_newest_first_by_time_and_stable_by_id_for_equal_times(session, now):
    staff = make_staff(session)
    hour = timedelta(hours=1)
    _note(session, now - hour, "late-written-early", staff_id=staff.id)  # id 1, an hour old
    _note(session, now, "tie-a", staff_id=staff.id)
    _note(session, now - 2 * hour, "backfilled", staff_id=staff.id)  # written last, oldest time
    _note(session, now, "tie-b", staff_id=staff.id)
    order = [n.dedupe_key for n in notifications.recent(session, staff_id=staff.id)]
    assert order == ["tie-b", "tie-a", "late-written-early", "backfilled"]
