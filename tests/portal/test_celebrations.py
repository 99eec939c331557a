"""Celebrations: an approved mission's points, a promotion and a redeemed reward are announced once, on
the next portal page, in a polite live region; the watermark is stored server-side."""

from app.extensions import db
from app.models import Status
from app.services import feed, missions, rewards
from app.services.points import status as status_service
from tests.factories import fund, make_advocate, make_mission, make_reward, make_staff, make_submitted_attempt


def _celebration(html: str) -> str:
    start = html.find('class="celebration"')
    return "" if start < 0 else html[start:html.find("</div>", start)]


def test_approved_mission_points_are_celebrated_once(app, login, now):
    advocate = make_advocate(db.session)
    mission = make_mission(db.session, title="Write a G2 review")
    attempt = make_submitted_attempt(db.session, advocate=advocate, mission=mission)
    missions.approve_attempt(db.session, staff=make_staff(db.session), attempt_id=attempt.id, now=now)
    db.session.commit()
    client = login(advocate)
    first = _celebration(client.get("/portal/").get_data(as_text=True))
    assert 'role="status"' in first and 'aria-live="polite"' in first
    assert "for Write a G2 review." in first and "points" in first
    assert _celebration(client.get("/portal/").get_data(as_text=True)) == ""
    assert _celebration(client.get("/portal/missions").get_data(as_text=True)) == ""


def test_promotion_and_redemption_are_celebrated(app, login, now):
    advocate = make_advocate(db.session)
    fund(db.session, advocate, 1000)
    status_service.set_status(db.session, advocate=advocate, to=Status.SILVER, reason="Promotion",
                              actor_id=make_staff(db.session).id, now=now)
    db.session.commit()
    client = login(advocate)
    shown = _celebration(client.get("/portal/status").get_data(as_text=True))
    assert "Promoted to Silver!" in shown and "img/status/silver.svg" in shown
    assert "+1,000 points." in shown
    reward = make_reward(db.session, name="Hoodie", points_cost=300, requires_approval=False)
    db.session.commit()
    rewards.redeem(db.session, advocate=db.session.get(type(advocate), advocate.id), reward_id=reward.id,
                   note="", request_key="k1", now=now)
    db.session.commit()
    shown = _celebration(client.get("/portal/rewards").get_data(as_text=True))
    assert "Reward redeemed: Hoodie (300 points)." in shown and "Promoted" not in shown
    assert _celebration(client.get("/portal/rewards").get_data(as_text=True)) == ""


def test_a_demotion_and_a_post_are_not_celebrated(app, login, now):
    advocate = make_advocate(db.session)
    staff = make_staff(db.session)
    status_service.set_status(db.session, advocate=advocate, to=Status.SILVER, reason="x", actor_id=staff.id,
                              now=now)
    db.session.commit()
    client = login(advocate)
    client.get("/portal/")
    status_service.set_status(db.session, advocate=advocate, to=Status.BRONZE, reason="Audit",
                              actor_id=staff.id, now=now)
    db.session.commit()
    assert _celebration(client.get("/portal/").get_data(as_text=True)) == ""


def test_status_badges_show_on_status_and_dashboard(app, login):
    advocate = make_advocate(db.session)
    db.session.commit()
    client = login(advocate)
    status_page = client.get("/portal/status").get_data(as_text=True)
    for tier in ("bronze", "silver", "gold", "platinum"):
        assert f"img/status/{tier}.svg" in status_page
    assert 'alt="Bronze status badge"' in client.get("/portal/").get_data(as_text=True)
    for tier in ("bronze", "silver", "gold", "platinum"):
        with client.get(f"/static/img/status/{tier}.svg") as svg:
            assert svg.status_code == 200 and b"<title" in svg.data


def test_the_leaderboard_shows_each_visible_advocates_status_badge(app, login):
    viewer = fund(db.session, make_advocate(db.session, name="Viewer"), 50)
    gold = fund(db.session, make_advocate(db.session, name="Goldie", status=Status.GOLD), 500)
    fund(db.session, make_advocate(db.session, name="Hidden", status=Status.PLATINUM,
                                   leaderboard_opt_out=True), 400)
    db.session.commit()
    client = login(viewer)
    client.get("/portal/")  # the new points' celebration
    html = client.get("/portal/leaderboard").get_data(as_text=True)
    assert 'alt="Gold status badge"' in html and gold.name in html
    assert 'alt="Bronze status badge"' in html  # the viewer
    assert "platinum.svg" not in html  # a hidden advocate's badge is hidden with their name


def test_coming_within_reach_never_lists_an_out_of_stock_reward(app, login):
    advocate = make_advocate(db.session)
    make_reward(db.session, name="Backpack", points_cost=5000, stock=3)
    make_reward(db.session, name="Sold-out jacket", points_cost=5000, stock=0)
    make_reward(db.session, name="Empty mug", points_cost=10, stock=0)
    db.session.commit()
    html = login(advocate).get("/portal/rewards").get_data(as_text=True)
    reach = html[html.index("Coming within reach"):html.index("Out of stock for now")]
    assert "Backpack" in reach and "Sold-out jacket" not in reach and "Empty mug" not in reach
    gone = html[html.index("Out of stock for now"):]
    assert "Sold-out jacket" in gone and "Empty mug" in gone


def test_mission_cards_show_the_kind_and_the_points(app, login):
    from app.models import ActivityKind
    from tests.factories import make_activity

    advocate = make_advocate(db.session)
    make_mission(db.session, title="Speak at our summit",
                 activity=make_activity(db.session, kind=ActivityKind.SPEAKING, points=400))
    db.session.commit()
    html = login(advocate).get("/portal/missions").get_data(as_text=True)
    card = html[html.index('class="mission-card'):]
    card = card[:card.index("</article>")]
    assert "kinds.svg#kind-speaking" in card and "Speaking" in card
    assert "class=\"points-tag\">+400 pts</span>" in card
    with login(advocate).get("/static/img/kinds.svg") as sprite:
        assert b'id="kind-speaking"' in sprite.data


def test_initials_avatars_in_the_header_leaderboard_and_feed(app, login, now):
    from app.template_helpers import _avatar_colour, _initials

    assert _initials("Ada Lovelace") == "AL" and _initials("Grace Brewster Hopper") == "GH"
    assert _initials("cher") == "C" and _initials("") == "?"
    assert _avatar_colour("Ada Lovelace") == _avatar_colour("Ada Lovelace")
    viewer = fund(db.session, make_advocate(db.session, name="Ada Lovelace"), 50)
    db.session.commit()
    client = login(viewer)
    header = client.get("/portal/").get_data(as_text=True)
    avatar = f'<span class="avatar {_avatar_colour("Ada Lovelace")} avatar-sm" aria-hidden="true">AL</span>'
    assert avatar in header
    board = client.get("/portal/leaderboard").get_data(as_text=True)
    assert f'<span class="avatar {_avatar_colour("Ada Lovelace")}" aria-hidden="true">AL</span>' in board
    grace = make_advocate(db.session, name="Grace Hopper")
    feed.record(db.session, kind="testimonial", advocate_id=grace.id, subject="testimonial:1",
                text="says it is great", occurred_at=now)
    db.session.commit()
    page = client.get("/portal/community").get_data(as_text=True)
    assert f'<span class="avatar {_avatar_colour("Grace Hopper")}" aria-hidden="true">GH</span>' in page
