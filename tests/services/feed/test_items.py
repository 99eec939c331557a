"""The community feed (issue 15, point 3): each source writes its item in the change's transaction,
anonymity and hiding are decided when the feed is read, and pages stay put while items arrive."""

from datetime import timedelta

import pytest

from app.models import ActivityKind, AdvocateState, FeedItem, Status
from app.services import feed
from app.services.errors import ValidationFailed
from app.services.points import status as status_service
from app.services.program import settings as settings_service
from tests.factories import make_advocate, make_staff
from tests.services.points.test_status import award, complete


def texts(page):
    return [(e.name, e.text) for e in page.entries]


def test_a_promotion_writes_its_item_and_badge_in_the_same_transaction(session, now):
    advocate = make_advocate(session, name="Ada Lovelace")
    award(session, advocate, 1000, now)
    complete(session, advocate, ActivityKind.REVIEW, now)
    assert advocate.status == Status.SILVER
    shown = texts(feed.page(session))
    assert ("Ada Lovelace", "reached Silver") in shown
    assert ("Ada Lovelace", "earned the verifiable Silver badge") in shown
    session.rollback()  # the items go with the change that made them
    assert session.query(FeedItem).count() == 0


def test_an_approved_mission_of_a_public_kind_writes_an_item_and_a_private_kind_does_not(session, now):
    advocate = make_advocate(session, name="Grace Hopper")
    complete(session, advocate, ActivityKind.REVIEW, now)
    complete(session, advocate, ActivityKind.SURVEY, now)  # not public by default
    [entry] = feed.page(session).entries
    assert entry.kind == "mission" and entry.text.startswith("completed “Mission ")
    session.rollback()
    assert session.query(FeedItem).count() == 0


def test_which_kinds_are_public_is_a_setting(session, now):
    settings_service.save(session, changes={"feed_public_kinds": ["survey"]}, actor_id=None, now=now)
    advocate = make_advocate(session)
    complete(session, advocate, ActivityKind.REVIEW, now)
    complete(session, advocate, ActivityKind.SURVEY, now)
    assert [e.kind for e in feed.page(session).entries] == ["mission"]
    with pytest.raises(ValidationFailed) as raised:
        settings_service.save(session, changes={"feed_public_kinds": ["gossip"]}, actor_id=None, now=now)
    assert raised.value.field == "feed_public_kinds"


def test_lowering_a_status_retracts_the_revoked_badge_item(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Upgrade", actor_id=staff.id,
                              now=now)
    assert [e.kind for e in feed.page(session).entries] == ["badge", "promotion"]
    status_service.set_status(session, advocate=advocate, to=Status.BRONZE, reason="Left the company",
                              actor_id=staff.id, now=now + timedelta(hours=1))
    assert [e.kind for e in feed.page(session).entries] == ["promotion"]  # staff may hide it


def test_record_and_retract_a_testimonial_once(session, now):
    advocate = make_advocate(session, name="Katherine Johnson")
    first = feed.record(session, kind="testimonial", advocate_id=advocate.id, subject="testimonial:7",
                        text="published a testimonial: “It  saved us a week.”", occurred_at=now)
    again = feed.record(session, kind="testimonial", advocate_id=advocate.id, subject="testimonial:7",
                        text="something else", occurred_at=now)
    assert first.id == again.id and session.query(FeedItem).count() == 1
    said = "published a testimonial: “It saved us a week.”"
    assert texts(feed.page(session)) == [("Katherine Johnson", said)]
    assert feed.retract(session, kind="testimonial", subject="testimonial:7") is True
    assert feed.retract(session, kind="testimonial", subject="testimonial:7") is False
    assert feed.page(session).entries == []
    with pytest.raises(ValidationFailed):
        feed.record(session, kind="rumour", advocate_id=advocate.id, subject="x", text="y", occurred_at=now)


def test_opting_out_anonymises_past_items_at_once_except_to_themselves(session, now):
    advocate = make_advocate(session, name="Hedy Lamarr", company="Secret Co")
    feed.record(session, kind="testimonial", advocate_id=advocate.id, subject="t:1", text="said hi",
                occurred_at=now)
    advocate.leaderboard_opt_out = True
    session.flush()
    [entry] = feed.page(session).entries
    assert (entry.name, entry.company) == (feed.ANONYMOUS, "")
    [mine] = feed.page(session, viewer_id=advocate.id).entries
    assert (mine.name, mine.is_viewer) == ("Hedy Lamarr", True)
    [staff_view] = feed.page(session, staff=True).entries
    assert (staff_view.name, staff_view.public_as) == ("Hedy Lamarr", feed.ANONYMOUS)


def test_advocates_who_left_do_not_appear(session, now):
    gone = make_advocate(session)
    feed.record(session, kind="testimonial", advocate_id=gone.id, subject="t:2", text="said hi",
                occurred_at=now)
    gone.state = AdvocateState.OPTED_OUT
    session.flush()
    assert feed.page(session).entries == []
    assert len(feed.page(session, staff=True).entries) == 1


def test_hidden_items_vanish_until_unhidden(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    item = feed.record(session, kind="testimonial", advocate_id=advocate.id, subject="t:3", text="hi",
                       occurred_at=now)
    feed.hide(session, item_id=item.id, staff_id=staff.id, now=now)
    assert feed.page(session).entries == []
    [listed] = feed.page(session, staff=True).entries
    assert listed.hidden is True
    feed.unhide(session, item_id=item.id)
    assert [e.id for e in feed.page(session).entries] == [item.id]


def test_pages_are_newest_first_and_stable_while_new_items_arrive(session, now):
    advocate = make_advocate(session)
    for n in range(5):
        feed.record(session, kind="testimonial", advocate_id=advocate.id, subject=f"t:{n}", text=f"item {n}",
                    occurred_at=now + timedelta(minutes=n))
    first = feed.page(session, size=2)
    assert [e.text for e in first.entries] == ["item 4", "item 3"]
    feed.record(session, kind="testimonial", advocate_id=advocate.id, subject="t:new", text="newest",
                occurred_at=now + timedelta(hours=1))
    second = feed.page(session, size=2, cursor=first.next_cursor)
    assert [e.text for e in second.entries] == ["item 2", "item 1"]
    third = feed.page(session, size=2, cursor=second.next_cursor)
    assert [e.text for e in third.entries] == ["item 0"] and third.next_cursor is None
    assert [e.text for e in feed.page(session, size=2, cursor="garbage").entries] == ["newest", "item 4"]


def test_a_badge_issued_on_a_lowered_status_is_not_news(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Upgrade", actor_id=staff.id,
                              now=now)
    status_service.set_status(session, advocate=advocate, to=Status.SILVER, reason="Wrong account",
                              actor_id=staff.id, now=now + timedelta(hours=1))
    assert advocate.status == Status.SILVER
    assert [e.text for e in feed.page(session).entries] == ["reached Gold"]  # Gold's badge retracted
