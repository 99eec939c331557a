"""My content in the portal: the advocate's own items, consent granted and withdrawn (the feed item
goes at once), case-study approval, nobody else's items; a review asks for its stars."""

from app.models import ActivityKind, AttemptState, ContentItem, ContentState, ContentUse, Evidence
from app.services import content, feed
from tests.factories import make_advocate
from tests.portal.conftest import started


def _item(session, advocate, now, **values):
    values = {"kind": "testimonial", "text": "It changed how we work.", "advocate_id": advocate.id} | values
    return content.create(session, new=content.NewItem(**values), staff_id=None, now=now)


def test_the_list_shows_own_items_and_their_consent_in_the_navigation(portal, session, advocate, now):
    _item(session, advocate, now)
    _item(session, make_advocate(session), now, text="Somebody else's words")
    session.commit()
    page = portal.get("/portal/content").get_data(as_text=True)
    assert "It changed how we work." in page and "Somebody else" not in page
    assert "not asked" in page and 'href="/portal/content" aria-current="page"' in page


def test_grant_then_withdraw_takes_the_item_out_of_the_feed_at_once(portal, session, advocate, now):
    item = _item(session, advocate, now)
    session.commit()
    granted = portal.post(f"/portal/content/{item.id}/consent", data={"use": "website", "granted": "yes"})
    assert granted.status_code == 302
    content.publish(session, item_id=item.id, now=now)
    session.commit()
    assert [e.text for e in feed.page(session).entries] == ["“It changed how we work.”"]
    page = portal.get(f"/portal/content/{item.id}").get_data(as_text=True)
    assert "Yes, since" in page and "Withdraw" in page
    withdrawn = portal.post(f"/portal/content/{item.id}/consent", data={"use": "website", "granted": "no"})
    assert withdrawn.status_code == 302
    session.expire_all()
    assert feed.page(session).entries == []
    assert not content.is_usable(session, item_id=item.id, use=ContentUse.WEBSITE)
    assert "Withdrawn" in portal.get(f"/portal/content/{item.id}").get_data(as_text=True)


def test_someone_elses_item_is_not_found_and_a_bad_use_is_refused(portal, session, advocate, now):
    other = _item(session, make_advocate(session), now)
    own = _item(session, advocate, now)
    session.commit()
    assert portal.get(f"/portal/content/{other.id}").status_code == 404
    assert portal.post(f"/portal/content/{other.id}/consent",
                       data={"use": "website", "granted": "yes"}).status_code == 404
    bad = portal.post(f"/portal/content/{own.id}/consent", data={"use": "tv", "granted": "yes"})
    assert bad.status_code == 400
    assert content.history(session, item_id=own.id) == []


def test_the_advocate_approves_a_case_study_in_the_portal(portal, session, advocate, now):
    item = _item(session, advocate, now, kind="case_study", text="", title="Our story")
    for step in content.STEPS:
        content.save_step(session, item_id=item.id, step=step, text=f"Our {step}.")
    content.send_for_approval(session, item_id=item.id, now=now)
    session.commit()
    page = portal.get(f"/portal/content/{item.id}").get_data(as_text=True)
    assert "Our challenge." in page and "I approve this text" in page
    assert portal.post(f"/portal/content/{item.id}/approve").status_code == 302
    session.expire_all()
    assert session.get(ContentItem, item.id).state == ContentState.APPROVED


def test_a_review_asks_for_its_stars_and_keeps_them(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.LINK, kind=ActivityKind.REVIEW)
    session.commit()
    page = portal.get(f"/portal/attempts/{attempt.id}").get_data(as_text=True)
    assert "Your star rating" in page and "Where you posted it" in page
    submit = f"/portal/attempts/{attempt.id}/submit"
    bad = portal.post(submit, data={"link": "https://g2.com/r/1", "rating": "9"})
    assert bad.status_code == 422 and "Choose 1 to 5 stars." in bad.get_data(as_text=True)
    done = portal.post(f"/portal/attempts/{attempt.id}/submit",
                       data={"link": "https://g2.com/r/1", "rating": "5", "platform": "G2"})
    assert done.status_code == 302
    session.expire_all()
    session.refresh(attempt)
    assert attempt.state == AttemptState.SUBMITTED
    assert (attempt.review_rating, attempt.review_platform) == (5, "G2")


def test_the_stars_are_optional(portal, session, advocate, now):
    attempt = started(session, advocate, now, evidence=Evidence.LINK, kind=ActivityKind.REVIEW)
    session.commit()
    submit = f"/portal/attempts/{attempt.id}/submit"
    done = portal.post(submit, data={"link": "https://g2.com/r/1", "rating": ""})
    assert done.status_code == 302
    session.refresh(attempt)
    assert (attempt.state, attempt.review_rating) == (AttemptState.SUBMITTED, None)
