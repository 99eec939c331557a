"""The status card (home) and status page never show a requirement without the way to meet it
(SPEC §5): an open mission to take, an attempt under way, or "none open right now"; points left."""

import re
from datetime import timedelta

import pytest

from app.models import ActivityKind, LedgerReason, Status
from app.services import missions
from app.services.missions.attempts import EvidenceInput
from app.services.points import ledger
from tests.factories import make_activity, make_mission

PAGES = ("/portal/", "/portal/status")


def requirements(html: str) -> str:
    """The text of the requirement list (what Silver needs), tags stripped, spaces collapsed."""
    block = re.search(r'<ul class="req-list"[^>]*>(.*?)</ul>', html, flags=re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", block).split())


def bonus(session, advocate, points, now):
    ledger.post_entry(session, advocate_id=advocate.id, amount=points, reason=LedgerReason.BONUS,
                      idempotency_key=f"bonus:{advocate.id}", now=now)


@pytest.mark.parametrize("page", PAGES)
def test_an_open_mission_of_a_qualifying_kind_is_named_and_linked(portal, session, advocate, now, page):
    bonus(session, advocate, 400, now)
    quote = make_mission(session, title="Give us a quote", closes_at=now + timedelta(days=20),
                         activity=make_activity(session, kind=ActivityKind.TESTIMONIAL))
    make_mission(session, title="Call a prospect",
                 activity=make_activity(session, kind=ActivityKind.REFERENCE_CALL))
    session.commit()
    html = portal.get(page).get_data(as_text=True)
    text = requirements(html)
    assert "1,000 lifetime points (400 so far, 600 to go)" in text
    assert "One approved review or testimonial" in text
    assert "Take Give us a quote , open until 05 Jul 2026." in text
    assert f'<a href="/portal/missions/{quote.id}">Give us a quote</a>' in html
    assert "Call a prospect" not in text and "None open right now" not in text


@pytest.mark.parametrize("page", PAGES)
def test_with_no_open_mission_the_card_says_none_open_right_now(portal, session, advocate, now, page):
    make_mission(session, title="Silver-only review",
                 activity=make_activity(session, kind=ActivityKind.REVIEW, min_status=Status.SILVER))
    session.commit()
    text = requirements(portal.get(page).get_data(as_text=True))
    assert "One approved review or testimonial" in text
    assert "None open right now — we’ll let you know." in text and "Silver-only review" not in text


def test_a_submission_waiting_for_approval_is_shown_as_the_way(portal, session, advocate, now):
    mission = make_mission(session, title="Review us on G2", activity=make_activity(session))
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                            evidence=EvidenceInput(link="https://example.com/review"), now=now)
    session.commit()
    html = portal.get("/portal/status").get_data(as_text=True)
    assert "Your Review us on G2 is waiting for approval." in requirements(html)
    assert f'href="/portal/attempts/{attempt.id}"' in html


def test_the_status_page_lists_each_status_by_the_settings(portal, session, now):
    from app.services.program import settings

    make_activity(session, kind=ActivityKind.BETA)
    settings.save(session, changes={"silver_qualifying_kinds": ["review", "beta"]}, actor_id=None, now=now)
    session.commit()
    html = portal.get("/portal/status").get_data(as_text=True)
    assert "1,000 lifetime points and one approved review or beta." in html
    assert "3,000 lifetime points and one published case study." in html
    assert "7,500 lifetime points and Gold status for 6 months." in html
    assert "reference call" not in html
