"""Every time of day a page shows names its timezone (the program's setting): a crawl of the staff
pages and the advocate portal of a seeded program finds no bare "12:00"."""

import re
from html import unescape

from flask import render_template_string

from app.models import StaffRole
from app.services import messaging
from app.services.program import settings
from tests.crawl import crawl
from tests.factories import make_advocate, make_mission, make_staff, make_submitted_attempt

# A time of day (12:00 or 12:00:05) and what follows it; it must be a zone: CEST, UTC, +03, …
TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?!\d)(.{0,6})", re.S)
ZONE = re.compile(r"^\s(?:[A-Z]{2,5}\b|[+-]\d{2})")


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", "", html)  # attribute values (datetime="…") are not shown
    return unescape(html)


def _bare_times(pages: dict[str, str]) -> list[str]:
    bare = []
    for url, html in pages.items():
        for match in TIME.finditer(_text(html)):
            if not ZONE.match(match.group(1)):
                bare.append(f"{url}: {match.group(0)!r}")
    return bare


def _seed(session, now):
    settings.save(session, changes={"timezone": "Europe/Berlin"}, actor_id=None, now=now)
    advocate = make_advocate(session)
    make_submitted_attempt(session, advocate=advocate, mission=make_mission(session))
    return advocate


def test_staff_pages_show_every_time_with_its_zone(session, now, login, client):
    _seed(session, now)
    admin = make_staff(session, role=StaffRole.ADMIN)
    messaging.notify(session, kind="escalation", title="Look", body="", link=None, dedupe_key="t1",
                     now=now, staff_id=admin.id)
    session.commit()
    login(admin)
    pages = crawl(client, "/admin/", "/admin")
    assert len(pages) > 15
    assert any(re.search(r"\d{2}:\d{2} CES?T", _text(html)) for html in pages.values())
    assert _bare_times(pages) == []


def test_portal_pages_show_every_time_with_its_zone(session, now, login, client):
    advocate = _seed(session, now)
    messaging.notify(session, kind="approved", title="Yes", body="", link=None, dedupe_key="t2",
                     now=now, advocate_id=advocate.id)
    session.commit()
    login(advocate)
    pages = crawl(client, "/portal/", "/portal")
    assert len(pages) > 5
    assert _bare_times(pages) == []


def test_the_filter_names_the_zone_only_with_a_time_of_day(app, session, now):
    settings.save(session, changes={"timezone": "Europe/Berlin"}, actor_id=None, now=now)
    with app.test_request_context():
        shown = render_template_string("{{ t | localtime }}|{{ t | localtime('%d %b %Y') }}|{{ t | day }}",
                                       t=now.replace(month=6, day=15, hour=10, minute=0))
    assert shown.split("|") == ["15 Jun 2026, 12:00 CEST", "15 Jun 2026", "15 Jun 2026"]
