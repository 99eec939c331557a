"""A feed embed (/embed/<token> of an embed showing the community feed): same token, framing, CORS,
caching and anonymity as the leaderboard's; hidden items and departed advocates never show."""

from datetime import timedelta

import pytest
from flask import current_app

from app.models import AdvocateState
from app.services import clock, feed
from app.services.community import embeds
from app.services.errors import ValidationFailed
from tests.factories import make_advocate

ALLOWED = "https://community.example.com"
BADGE = "earned the verifiable Silver badge"
JSON = {"Accept": "application/json"}


@pytest.fixture
def feed_embed(session, now):
    """Items by a shown, an opted-out and a departed advocate, one hidden; returns (url, embed, people)."""
    shown = make_advocate(session, name="Jane Doe", company="Acme")
    shy = make_advocate(session, name="Hidden Person", company="Secret Co", leaderboard_opt_out=True)
    gone = make_advocate(session, name="Gone Person", state=AdvocateState.OPTED_OUT)
    feed.record(session, kind="promotion", advocate_id=shown.id, subject="s:1", text="reached Gold",
                occurred_at=now - timedelta(hours=1))
    feed.record(session, kind="badge", advocate_id=shy.id, subject="b:1", text=BADGE,
                occurred_at=now - timedelta(hours=2))
    feed.record(session, kind="testimonial", advocate_id=gone.id, subject="t:1", text="said goodbye",
                occurred_at=now - timedelta(hours=3))
    rude = feed.record(session, kind="testimonial", advocate_id=shown.id, subject="t:2", text="rude remark",
                       occurred_at=now)
    feed.hide(session, item_id=rude.id, staff_id=None, now=now)
    spec = embeds.EmbedSpec(name="Community feed", period="week", what="feed", origins=(ALLOWED,))
    embed = embeds.create_embed(session, spec=spec, created_by=None, now=clock.utcnow())
    session.commit()
    token = embeds.token_for(embed, secret=current_app.config["SECRET_KEY"])
    return f"/embed/{token}", embed, (shown, shy, gone)


def test_the_feed_page_frames_only_in_the_allowed_origins(client, feed_embed):
    url, _, (shown, shy, gone) = feed_embed
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"].split("frame-ancestors")[1].strip() == ALLOWED
    assert response.headers["Cache-Control"] == "public, max-age=60" and "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "community" in page and "Jane Doe" in page and "reached Gold" in page
    assert "Anonymous advocate" in page and "earned the verifiable Silver badge" in page
    for secret in ("Hidden Person", "Secret Co", "Gone Person", "said goodbye", "rude remark", "<script"):
        assert secret not in page
    assert "@" not in page.replace("@media", "")


def test_the_feed_json_has_cors_for_allowed_origins_and_no_emails(client, feed_embed, now):
    url, _, people = feed_embed
    allowed = client.get(url, headers={**JSON, "Origin": ALLOWED})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert allowed.json == {"name": "Community feed", "what": "feed", "items": [
        {"kind": "promotion", "name": "Jane Doe", "company": "Acme", "text": "reached Gold",
         "occurred_at": (now - timedelta(hours=1)).isoformat() + "Z"},
        {"kind": "badge", "name": "Anonymous advocate", "company": "", "text": BADGE,
         "occurred_at": (now - timedelta(hours=2)).isoformat() + "Z"}]}
    body = allowed.get_data(as_text=True)
    assert "@" not in body and not any(p.email in body for p in people)
    refused = client.get(url, headers={**JSON, "Origin": "https://evil.example.net"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_hiding_an_item_changes_the_etag_and_empties_it_at_once(client, session, feed_embed):
    url, _, _ = feed_embed
    first = client.get(url, headers=JSON)
    etag = first.headers["ETag"]
    assert client.get(url, headers={**JSON, "If-None-Match": etag}).status_code == 304
    promotion = next(e for e in feed.page(session).entries if e.kind == "promotion")
    feed.hide(session, item_id=promotion.id, staff_id=None, now=clock.utcnow())
    session.commit()
    changed = client.get(url, headers={**JSON, "If-None-Match": etag})
    assert changed.status_code == 200 and "reached Gold" not in changed.get_data(as_text=True)


def test_name_styles_apply_to_the_feed(client, session, feed_embed):
    spec = embeds.EmbedSpec(name="Initials", period="week", what="feed", names="first_initial")
    embed = embeds.create_embed(session, spec=spec, created_by=None, now=clock.utcnow())
    session.commit()
    items = client.get(f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}",
                       headers=JSON).json["items"]
    assert [i["name"] for i in items] == ["Jane D.", "Anonymous advocate"]


def test_a_revoked_feed_embed_answers_404(client, session, feed_embed):
    url, embed, _ = feed_embed
    embeds.revoke_embed(session, embed_id=embed.id, now=clock.utcnow())
    session.commit()
    assert client.get(url).status_code == 404 and client.get(url, headers=JSON).status_code == 404


def test_what_an_embed_shows_is_checked(session):
    with pytest.raises(ValidationFailed) as raised:
        embeds.create_embed(session, spec=embeds.EmbedSpec(name="X", period="week", what="gossip"),
                            created_by=None, now=clock.utcnow())
    assert raised.value.field == "what"

