"""Program → Embeds: marketing and admins create, copy and revoke embedded leaderboards."""

import re
from datetime import timedelta

import pytest

from app.models import Embed
from app.services.periods import to_local, to_utc
from app.services.program import settings as settings_service

GOOD = {"name": "Community site", "period": "week", "rows": "10", "theme": "dark", "names": "first_initial",
        "region": "", "industry": "", "origins": "https://community.example.com\r\nhttps://events.example.org"}
URL = re.compile(r'value="(http://localhost/embed/[A-Za-z0-9_.-]+)"')


@pytest.mark.parametrize("role", ["csm", "advocate"])
def test_only_marketing_and_admins_manage_embeds(as_role, client, session, role):
    as_role(role)
    assert client.get("/admin/embeds").status_code == 403
    assert client.post("/admin/embeds", data=GOOD).status_code == 403
    assert session.query(Embed).count() == 0


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_create_then_copy_the_url_and_snippet(as_role, client, session, role):
    user = as_role(role)
    response = client.post("/admin/embeds", data=GOOD)
    assert response.status_code == 302
    embed = session.query(Embed).one()
    assert embed.allowed_origins == ["https://community.example.com", "https://events.example.org"]
    assert embed.created_by_id == user.id
    page = client.get("/admin/embeds").get_data(as_text=True)
    url = URL.search(page).group(1)
    assert f"&lt;iframe src=&#34;{url}&#34;" in page or f'&lt;iframe src="{url}"' in page
    assert client.get(url.removeprefix("http://localhost")).status_code == 200
    assert "Embeds" in page and 'href="/admin/embeds"' in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Name the embed."), ({"rows": "0"}, "between 1 and 100"), ({"rows": "abc"}, "Not a valid"),
    ({"period": "year"}, "Not a valid choice"),
    ({"origins": "http://insecure.example.com"}, "not an https origin"),
])
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(as_role, client, session, changes, message):
    as_role("marketing")
    response = client.post("/admin/embeds", data={**GOOD, **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="field-error"' in page
    assert session.query(Embed).count() == 0


def test_every_shape_error_shows_at_once(as_role, client, session):
    as_role("marketing")
    response = client.post("/admin/embeds", data={**GOOD, "rows": "0", "origins": "https://ok.example.com\nftp://x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="rows-error"' in page
    assert re.search(r'id="origins-error" class="field-error">“ftp://x” is not', page)
    assert session.query(Embed).count() == 0


def test_a_taken_name_is_shown_next_to_the_name(as_role, client, session):
    as_role("marketing")
    client.post("/admin/embeds", data=GOOD)
    response = client.post("/admin/embeds", data=GOOD)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="name-error" class="field-error">An embed is already named', page)
    assert session.query(Embed).count() == 1


def test_revoke_asks_first_then_the_url_answers_404(as_role, client, session):
    as_role("marketing")
    client.post("/admin/embeds", data=GOOD)
    url = URL.search(client.get("/admin/embeds").get_data(as_text=True)).group(1).removeprefix("http://localhost")
    embed = session.query(Embed).one()
    asked = client.post(f"/admin/embeds/{embed.id}/revoke", data={})
    assert asked.status_code == 200 and "Revoke the embed" in asked.get_data(as_text=True)
    assert client.get(url).status_code == 200
    assert client.post(f"/admin/embeds/{embed.id}/revoke", data={"confirmed": "yes"}).status_code == 302
    assert client.get(url).status_code == 404
    assert "revoked" in client.get("/admin/embeds").get_data(as_text=True)


def test_an_expiry_is_read_in_the_program_timezone_and_shown_in_the_list(as_role, client, session, now):
    as_role("marketing")
    tz = settings_service.load(session).timezone
    local = (to_local(now, tz) + timedelta(days=7)).replace(tzinfo=None, second=0, microsecond=0)
    assert client.post("/admin/embeds", data={**GOOD, "expires_at": local.strftime("%Y-%m-%dT%H:%M")}) \
        .status_code == 302
    embed = session.query(Embed).one()
    assert embed.expires_at == to_utc(local, tz)
    assert "expires" in client.get("/admin/embeds").get_data(as_text=True)


def test_an_expiry_in_the_past_is_shown_next_to_the_field(as_role, client, session, now):
    as_role("marketing")
    response = client.post("/admin/embeds", data={**GOOD, "expires_at": "2020-01-01T10:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose an expiry in the future" in page
    assert 'class="field-error"' in page
    assert session.query(Embed).count() == 0
