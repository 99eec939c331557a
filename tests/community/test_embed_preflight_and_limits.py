"""/embed/<token>: the CORS preflight for allowed origins, the per-embed rate limit, and expiry."""

from datetime import timedelta

import pytest
from flask import current_app

from app.services import clock
from app.services.community import embeds
from tests.factories import fund, make_advocate

ALLOWED = "https://community.example.com"


@pytest.fixture
def app(app_factory):
    app = app_factory(EMBED_RATE_LIMIT_PER_MINUTE=3)
    with app.app_context():
        yield app


def _url(session, **spec):
    fund(session, make_advocate(session, name="Jane Doe"), 300)
    embed = embeds.create_embed(session, spec=embeds.EmbedSpec(
        name="Community", period="all_time", origins=(ALLOWED,), **spec), created_by=None, now=clock.utcnow())
    session.commit()
    return "/embed/" + embeds.token_for(embed, secret=current_app.config["SECRET_KEY"])


def _preflight(client, url, origin):
    return client.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                        "Access-Control-Request-Headers": "if-none-match"})


def test_a_preflight_from_an_allowed_origin_is_answered(client, session):
    response = _preflight(client, _url(session), ALLOWED)
    assert response.status_code == 204 and response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_a_preflight_from_another_origin_or_for_a_dead_token_is_refused(client, session):
    url = _url(session)
    refused = _preflight(client, url, "https://evil.example.net")
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    assert _preflight(client, url + "x", ALLOWED).status_code == 404


def test_past_the_limit_an_embed_answers_429_with_retry_after_until_the_window_moves(client, session, now):
    url = _url(session)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    as_json = client.get(url, headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.get_json()["error"]["code"] == "rate_limited"
    clock.freeze(now + timedelta(seconds=59))
    assert client.get(url).headers["Retry-After"] == "1"
    clock.freeze(now + timedelta(seconds=60))
    assert client.get(url).status_code == 200


def test_the_limit_is_per_embed(client, session):
    first = _url(session)
    other = embeds.create_embed(session, spec=embeds.EmbedSpec(name="Other", period="week"), created_by=None,
                                now=clock.utcnow())
    session.commit()
    for _ in range(3):
        client.get(first)
    assert client.get(first).status_code == 429
    other_url = "/embed/" + embeds.token_for(other, secret=current_app.config["SECRET_KEY"])
    assert client.get(other_url).status_code == 200


def test_an_expired_embed_answers_404(client, session, now):
    url = _url(session, expires_at=now + timedelta(hours=1))
    assert client.get(url).status_code == 200
    clock.freeze(now + timedelta(hours=1))
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"Accept": "application/json"}).status_code == 404
