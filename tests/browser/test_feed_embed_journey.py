"""The community feed embed in a real browser: an allowed site frames it and reads its JSON; a hidden
item and an opted-out advocate's name never reach the page. The routing is the leaderboard embed's
(test_embed_journey.py): the allowed https site and the embed's https host are Playwright routes."""

from datetime import timedelta

import pytest
from flask import current_app

from app.extensions import db
from app.services import clock, feed
from app.services.community import embeds
from tests.browser.test_embed_journey import ALLOWED, EMBED_HOST, _framed_text, _site
from tests.factories import make_advocate

pytestmark = pytest.mark.browser


@pytest.fixture
def feed_path(live_server, now):
    app, _ = live_server
    with app.app_context():
        jane = make_advocate(db.session, name="Jane Doe", company="Acme")
        shy = make_advocate(db.session, name="Hidden Person", leaderboard_opt_out=True)
        feed.record(db.session, kind="promotion", advocate_id=jane.id, subject="s:1", text="reached Gold",
                    occurred_at=now)
        feed.record(db.session, kind="badge", advocate_id=shy.id, subject="b:1", text="earned a badge",
                    occurred_at=now - timedelta(hours=1))
        rude = feed.record(db.session, kind="testimonial", advocate_id=jane.id, subject="t:1",
                           text="rude remark", occurred_at=now + timedelta(minutes=1))
        feed.hide(db.session, item_id=rude.id, staff_id=None, now=now)
        embed = embeds.create_embed(db.session, spec=embeds.EmbedSpec(
            name="Feed", period="week", what="feed", origins=(ALLOWED,)), created_by=None, now=clock.utcnow())
        db.session.commit()
        return f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}"


FEED_SHOWN = 'd.items.map(i => i.name + ": " + i.text).join(" | ")'


def _feed_site(url: str) -> str:
    return _site(url, FEED_SHOWN)


def test_an_allowed_site_frames_the_feed_and_reads_its_json(browser, live_server, feed_path):
    _, base_url = live_server
    context = browser.new_context()
    context.route(f"{ALLOWED}/**", lambda route: route.fulfill(content_type="text/html",
                                                               body=_feed_site(EMBED_HOST + feed_path)))
    context.route(f"{EMBED_HOST}/**", lambda route: route.fulfill(
        response=route.fetch(url=route.request.url.replace(EMBED_HOST, base_url))))
    page = context.new_page()
    page.goto(f"{ALLOWED}/page")
    page.wait_for_function("document.getElementById('json').textContent !== 'pending'")
    assert page.locator("#json").inner_text() == "Jane Doe: reached Gold | Anonymous advocate: earned a badge"
    text = _framed_text(page)
    assert "Jane Doe" in text and "reached Gold" in text and "Anonymous advocate" in text
    assert "Hidden Person" not in text and "rude remark" not in text


def test_a_site_not_allowed_is_refused_the_frame(browser, live_server, feed_path):
    """(Playwright answers CORS itself for routed requests; the JSON refusal is in the request tests.)"""
    _, base_url = live_server
    context = browser.new_context()
    other = "https://evil.example.net"
    context.route(f"{other}/**", lambda route: route.fulfill(content_type="text/html",
                                                             body=_feed_site(EMBED_HOST + feed_path)))
    context.route(f"{EMBED_HOST}/**", lambda route: route.fulfill(
        response=route.fetch(url=route.request.url.replace(EMBED_HOST, base_url))))
    page = context.new_page()
    page.goto(f"{other}/page")
    page.wait_for_function("document.getElementById('json').textContent !== 'pending'")
    assert "Jane Doe" not in _framed_text(page)
