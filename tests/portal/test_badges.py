"""The advocate's badges on the status page: each with its verification page, LinkedIn and download
links; a revoked one is marked and offers neither LinkedIn nor the download."""

from datetime import timedelta

from app.models import Status
from app.services import badges
from app.services.points import status as status_service
from tests.factories import make_advocate, make_staff


def test_the_status_page_lists_the_advocates_badges_with_their_links(portal, session, advocate, now):
    staff = make_staff(session)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Upgrade", actor_id=staff.id,
                              now=now)
    status_service.set_status(session, advocate=advocate, to=Status.SILVER, reason="Downgrade",
                              actor_id=staff.id, now=now + timedelta(days=1))
    other = make_advocate(session)
    status_service.set_status(session, advocate=other, to=Status.PLATINUM, reason="x", actor_id=staff.id,
                              now=now)
    session.commit()
    held = {b.status: b for b in badges.for_advocate(session, advocate_id=advocate.id)}
    html = portal.get("/portal/status").get_data(as_text=True)
    assert "Your badges" in html
    silver, gold = held[Status.SILVER].uid, held[Status.GOLD].uid
    for uid in (silver, gold):
        assert f'href="/badges/{uid}"' in html
    assert f'href="/badges/{silver}/badge.png"' in html and f'href="/badges/{gold}/badge.png"' not in html
    assert html.count("linkedin.com/profile/add") == 1 and "Revoked 16 Jun 2026" in html
    assert badges.for_advocate(session, advocate_id=other.id)[0].uid not in html


def test_without_a_promotion_the_page_says_when_the_first_badge_comes(portal):
    html = portal.get("/portal/status").get_data(as_text=True)
    assert "Your first badge arrives with your first promotion." in html
