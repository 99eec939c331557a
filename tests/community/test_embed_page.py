"""/embed/<token>: the page and the JSON, framing and CORS per embed, anonymity, caching, revocation."""

import pytest
from flask import current_app

from app.services import clock
from app.services.community import embeds
from tests.factories import fund, make_advocate

ALLOWED = "https://community.example.com"
JSON = {"Accept": "application/json"}


@pytest.fixture
def board(session):
    """Two advocates with points, one of them opted out, and a live embed; returns (url, embed, advocates)."""
    shown = fund(session, make_advocate(session, name="Jane Doe", company="Acme"), 300)
    hidden = fund(session, make_advocate(session, name="Hidden Person", company="Secret Co",
                                         leaderboard_opt_out=True), 200)
    embed = embeds.create_embed(session, spec=embeds.EmbedSpec(
        name="Community", period="all_time", origins=(ALLOWED, "https://events.example.org")),
        created_by=None, now=clock.utcnow())
    session.commit()
    token = embeds.token_for(embed, secret=current_app.config["SECRET_KEY"])
    return f"/embed/{token}", embed, (shown, hidden)


def test_the_page_frames_only_in_the_allowed_origins(client, board):
    url, _, _ = board
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://community.example.com https://events.example.org" in csp
    assert csp.split("frame-ancestors")[1].strip() == f"{ALLOWED} https://events.example.org"
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=60"
    page = response.get_data(as_text=True)
    assert "Jane Doe" in page and "Acme" in page and "Anonymous advocate" in page
    assert 'class="site-header"' not in page and "<script" not in page
    assert "Set-Cookie" not in response.headers  # public and cached: nothing per visitor


def test_an_embed_without_origins_frames_nowhere(client, session):
    embed = embeds.create_embed(session, spec=embeds.EmbedSpec(name="Link only", period="week"),
                                created_by=None, now=clock.utcnow())
    session.commit()
    response = client.get(f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")


def test_other_pages_still_refuse_framing(client, board):
    assert client.get("/login").headers["X-Frame-Options"] == "DENY"


def test_json_gives_the_same_rows_with_cors_for_allowed_origins_only(client, board):
    url, _, _ = board
    allowed = client.get(url, headers={**JSON, "Origin": ALLOWED})
    assert allowed.status_code == 200 and allowed.mimetype == "application/json"
    assert allowed.json == {"name": "Community", "period": "all_time", "rows": [
        {"rank": 1, "name": "Jane Doe", "company": "Acme", "points": 300},
        {"rank": 2, "name": "Anonymous advocate", "company": "", "points": 200}]}
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert {"Origin", "Accept"} <= set(allowed.vary)
    assert allowed.headers["Cache-Control"] == "public, max-age=60"
    for origin in ("https://evil.example.net", "http://community.example.com", "null"):
        refused = client.get(url, headers={**JSON, "Origin": origin})
        assert refused.status_code == 200 and "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Origin" not in client.get(url, headers=JSON).headers


def test_no_email_or_hidden_name_ever_appears(client, board):
    url, _, (shown, hidden) = board
    for response in (client.get(url), client.get(url, headers=JSON)):
        body = response.get_data(as_text=True)
        assert "@" not in body.replace("@media", "")
        assert shown.email not in body and hidden.email not in body
        assert "Hidden Person" not in body and "Secret Co" not in body


def test_a_matching_etag_answers_304_until_the_rows_change(client, session, board):
    url, _, (shown, _) = board
    first = client.get(url, headers=JSON)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**JSON, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    html = client.get(url)
    assert html.headers["ETag"] != etag  # one tag per representation
    assert client.get(url, headers={"If-None-Match": html.headers["ETag"]}).status_code == 304
    fund(session, shown, 5)
    session.commit()
    changed = client.get(url, headers={**JSON, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_tampered_foreign_or_revoked_tokens_answer_404(client, session, board):
    url, embed, _ = board
    token = url.rsplit("/", 1)[1]
    forged = embeds.token_for(embed, secret="not-the-app-secret")
    tampered = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    for bad in (tampered, forged, "2", token + "a"):
        assert client.get(f"/embed/{bad}").status_code == 404
        assert client.get(f"/embed/{bad}", headers=JSON).status_code == 404
    embeds.revoke_embed(session, embed_id=embed.id, now=clock.utcnow())
    session.commit()
    assert client.get(url).status_code == 404
    assert client.get(url, headers=JSON).status_code == 404


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_theme_is_the_embed_s(client, session, theme):
    spec = embeds.EmbedSpec(name=f"T {theme}", period="month", theme=theme)
    embed = embeds.create_embed(session, spec=spec, created_by=None, now=clock.utcnow())
    session.commit()
    page = client.get(f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}")
    assert f'data-theme="{theme}"' in page.get_data(as_text=True)


def test_a_signed_in_visitor_gets_the_same_public_answer(client, session, login, board):
    from tests.factories import make_staff

    url, _, _ = board
    login(make_staff(session))
    response = client.get(url)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert 'class="site-header"' not in response.get_data(as_text=True)
    after = client.get("/admin/")  # the next request is signed in again and framed by no one
    assert after.status_code == 200 and after.headers["X-Frame-Options"] == "DENY"
