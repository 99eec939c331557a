"""Email preferences: the advocate's opt-outs, and the outbox queueing nothing they turned off."""

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage
from app.services.errors import ValidationFailed
from app.services.messaging import outbox
from app.services.people import preferences
from tests.factories import make_advocate, make_staff

CONTEXT = {"name": "Ada", "mission": "Write a review", "deadline": "1 July", "program": "Rallypoint"}


def _enqueue(session, now, key, **extra):
    return outbox.enqueue(session, dedupe_key=key, kind="reminder", to_email="ada@example.com",
                          subject="A reminder", template="reminder_started", context=CONTEXT, now=now,
                          **extra)


def _queued(session) -> set[str]:
    return set(session.scalars(select(OutboxMessage.dedupe_key)))


def test_everything_is_on_until_turned_off(session):
    advocate = make_advocate(session)
    choices = preferences.email_choices(advocate)
    assert [c.category for c in choices] == ["missions", "reminders", "checkins"]
    assert all(c.wanted for c in choices) and all(c.label for c in choices)


def test_opt_outs_are_stored_and_replace_the_earlier_choice(session, now):
    advocate = make_advocate(session)
    stored = preferences.set_email_opt_outs(session, advocate=advocate, opt_outs=["checkins", "missions"],
                                            now=now)
    assert stored == ["missions", "checkins"]
    session.expire_all()
    assert advocate.email_opt_outs == ["missions", "checkins"]
    assert [c.wanted for c in preferences.email_choices(advocate)] == [False, True, False]
    preferences.set_email_opt_outs(session, advocate=advocate, opt_outs=[], now=now)
    session.expire_all()
    assert advocate.email_opt_outs == []


def test_an_unknown_category_is_refused_and_nothing_changes(session, now):
    advocate = make_advocate(session, email_opt_outs=["reminders"])
    with pytest.raises(ValidationFailed, match="newsletter"):
        preferences.set_email_opt_outs(session, advocate=advocate, opt_outs=["missions", "newsletter"],
                                       now=now)
    assert advocate.email_opt_outs == ["reminders"]


def test_enqueue_skips_a_category_the_advocate_turned_off(session, now):
    advocate = make_advocate(session, email_opt_outs=["reminders"])
    session.commit()
    session.expire_all()  # the lookup must work from the database, not only from a loaded advocate
    assert _enqueue(session, now, "off", advocate_id=advocate.id, category="reminders") is False
    assert _enqueue(session, now, "other", advocate_id=advocate.id, category="missions") is True
    assert _enqueue(session, now, "none", advocate_id=advocate.id) is True
    assert _queued(session) == {"other", "none"}


def test_enqueue_sees_a_loaded_advocates_choice(session, now):
    advocate = make_advocate(session)
    preferences.set_email_opt_outs(session, advocate=advocate, opt_outs=["missions"], now=now)
    assert _enqueue(session, now, "off", advocate_id=advocate.id, category="missions") is False
    assert _queued(session) == set()


def test_a_category_without_an_advocate_always_goes(session, now):
    staff = make_staff(session)
    assert _enqueue(session, now, "staff", staff_id=staff.id, category="reminders") is True
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
