"""Leaderboard periods and own rank, status page, points history, notifications and preferences."""

from datetime import timedelta

from app.models import AskFrequency, LedgerReason, Notification, Status
from app.services.points import ledger
from app.services.points import status as status_service
from tests.factories import make_advocate, make_staff


def _award(session, advocate, amount, at, key):
    ledger.post_entry(session, advocate_id=advocate.id, amount=amount, reason=LedgerReason.BONUS,
                      idempotency_key=key, now=at, note=f"note {key}")


def test_leaderboard_periods_and_highlighted_viewer(portal, session, advocate, now):
    rival = make_advocate(session, name="Rival Person", company="Rival Inc")
    _award(session, rival, 500, now - timedelta(days=40), "r-old")
    _award(session, advocate, 100, now - timedelta(hours=1), "me-week")
    session.commit()
    all_time = portal.get("/portal/leaderboard").get_data(as_text=True)
    assert "Your rank: <strong>#2</strong> with <strong>100</strong> points" in all_time
    assert 'class="viewer-row"' in all_time and "Rival Inc" in all_time
    week = portal.get("/portal/leaderboard?period=week").get_data(as_text=True)
    assert "Your rank: <strong>#1</strong>" in week and "Rival Person" not in week
    assert "Since 15 Jun 2026" in week
    assert "Since 01 Jun 2026" in portal.get("/portal/leaderboard?period=month").get_data(as_text=True)


def test_viewer_outside_the_top_is_shown_below(portal, session, advocate, now):
    for n in range(6):
        _award(session, make_advocate(session), 1000 + n, now, f"top{n}")
    _award(session, advocate, 10, now, "me")
    from app.services.program import settings

    settings.save(session, changes={"leaderboard_size": 5}, actor_id=None, now=now)
    session.commit()
    html = portal.get("/portal/leaderboard").get_data(as_text=True)
    assert "Your rank: <strong>#7</strong> with <strong>10</strong> points" in html
    assert html.count('class="viewer-row"') == 1


def test_opted_out_advocates_are_anonymous_and_filters_apply(portal, session, advocate, now):
    hidden = make_advocate(session, name="Secret Sam", leaderboard_opt_out=True, region="APAC")
    _award(session, hidden, 300, now, "hidden")
    _award(session, advocate, 100, now, "me")
    session.commit()
    html = portal.get("/portal/leaderboard").get_data(as_text=True)
    assert "Anonymous advocate" in html and "Secret Sam" not in html
    assert '<option value="APAC">APAC</option>' in html
    emea = portal.get("/portal/leaderboard?region=EMEA").get_data(as_text=True)
    assert "Anonymous advocate" not in emea and "Your rank: <strong>#1</strong>" in emea


def test_unknown_period_is_refused(portal):
    assert portal.get("/portal/leaderboard?period=year").status_code == 422


def test_points_history_newest_first_signed_and_paginated(portal, session, advocate, now):
    for n in range(30):
        _award(session, advocate, 10 + n, now - timedelta(hours=30 - n), f"p{n}")
    ledger.post_entry(session, advocate_id=advocate.id, amount=-5, reason=LedgerReason.ADJUSTMENT,
                      idempotency_key="minus", now=now, note="Correction", actor_id=make_staff(session).id)
    session.commit()
    portal.get("/portal/")  # the first page celebrates the new points (tests/portal/test_celebrations.py)
    first = portal.get("/portal/points").get_data(as_text=True)
    assert first.index("Correction") < first.index("note p29")
    assert 'class="ledger-amount amount-neg">−5<' in first and 'amount-pos">+39<' in first
    assert 'rel="next"' in first and "note p5" not in first
    second = portal.get("/portal/points?page=2").get_data(as_text=True)
    assert "note p0" in second and 'rel="prev"' in second


def test_status_page_lists_all_statuses_perks_and_history(portal, session, advocate, now):
    staff = make_staff(session)
    status_service.set_status(session, advocate=advocate, to=Status.SILVER, reason="Great reference call",
                              actor_id=staff.id, now=now)
    session.commit()
    html = portal.get("/portal/status").get_data(as_text=True)
    for text in ("3,000 lifetime points and one published case study", "7,500 lifetime points",
                 "Early access to new features", "Executive access", "Great reference call",
                 'aria-current="step"'):
        assert text in html


def test_notifications_list_and_mark_all_read(portal, session, advocate, now):
    session.add(Notification(advocate_id=advocate.id, kind="approved", title="Approved: Review",
                             body="+150 points", link="/portal/points", created_at=now))
    session.commit()
    html = portal.get("/portal/notifications").get_data(as_text=True)
    assert "Approved: Review" in html and "Mark all as read" in html
    portal.post("/portal/notifications/read")
    session.expire_all()
    assert session.query(Notification).filter(Notification.read_at.is_(None)).count() == 0
    assert 'class="count-badge"' not in portal.get("/portal/notifications").get_data(as_text=True)


def test_preferences_are_saved_and_can_be_switched_off(portal, session, advocate):
    page = portal.get("/portal/profile").get_data(as_text=True)
    assert "more often" in page and advocate.email in page
    portal.post("/portal/profile", data={"high_frequency": "y", "leaderboard_opt_out": "y"})
    session.expire_all()
    assert advocate.ask_frequency == AskFrequency.HIGH and advocate.leaderboard_opt_out
    portal.post("/portal/profile", data={})
    session.expire_all()
    assert advocate.ask_frequency == AskFrequency.STANDARD and not advocate.leaderboard_opt_out


def test_a_success_message_shows_once_and_not_again_on_reload(portal):
    saved = portal.post("/portal/profile", data={}, follow_redirects=True).get_data(as_text=True)
    assert saved.count("Your preferences are saved.") == 1
    assert "Your preferences are saved." not in portal.get("/portal/profile").get_data(as_text=True)
    assert "Your preferences are saved." not in portal.get("/portal/").get_data(as_text=True)
