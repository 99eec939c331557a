"""The portal's Community page: newest first, who/what/when, anonymity at read time, no emails, pages."""

import re
from datetime import timedelta

from app.models import AdvocateState
from app.services import feed
from tests.factories import make_advocate


def say(session, advocate, subject, text, at):
    return feed.record(session, kind="testimonial", advocate_id=advocate.id, subject=subject, text=text,
                       occurred_at=at)


def test_the_page_lists_items_newest_first_with_who_what_and_when(portal, session, advocate, now):
    other = make_advocate(session, name="Jane Doe", company="Acme")
    say(session, other, "t:1", "published a testimonial", now - timedelta(hours=2))
    say(session, advocate, "t:2", "reached Silver", now)
    session.commit()
    page = portal.get("/portal/community").get_data(as_text=True)
    assert page.index("reached Silver") < page.index("published a testimonial")
    assert "Jane Doe" in page and "Acme" in page and "Maya Chen" in page and "(you)" in page
    assert now.strftime("%d %b %Y") in page
    assert "@example.com" not in page  # never an email
    assert 'href="/portal/community" aria-current="page"' in page  # in the navigation


def test_opted_out_hidden_and_departed_advocates(portal, session, now):
    shy = make_advocate(session, name="Shy Person", company="Secret Co")
    gone = make_advocate(session, name="Gone Person")
    say(session, shy, "t:1", "earned a badge", now)
    say(session, gone, "t:2", "left a note", now)
    hidden = say(session, shy, "t:3", "rude remark", now)
    session.commit()
    assert "Shy Person" in portal.get("/portal/community").get_data(as_text=True)
    shy.leaderboard_opt_out, gone.state = True, AdvocateState.OPTED_OUT
    feed.hide(session, item_id=hidden.id, staff_id=None, now=now)
    session.commit()
    page = portal.get("/portal/community").get_data(as_text=True)
    assert "Anonymous advocate" in page and "earned a badge" in page
    assert "Shy Person" not in page and "Secret Co" not in page
    assert "Gone Person" not in page and "left a note" not in page and "rude remark" not in page


def test_older_pages_follow_a_cursor(portal, session, advocate, now):
    for n in range(25):
        say(session, advocate, f"t:{n}", f"item number {n:02d}", now - timedelta(minutes=n))
    session.commit()
    first = portal.get("/portal/community").get_data(as_text=True)
    assert "item number 00" in first and "item number 19" in first and "item number 20" not in first
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = portal.get(older).get_data(as_text=True)
    assert "item number 20" in second and "item number 24" in second and "item number 19" not in second
    assert 'rel="next"' not in second and "Newest" in second


def test_staff_cannot_see_the_portal_feed(client, login, session):
    from tests.factories import make_staff

    login(make_staff(session))
    session.commit()
    assert client.get("/portal/community").status_code in (302, 403)
