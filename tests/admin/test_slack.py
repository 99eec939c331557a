"""Admin → Slack post: admins only; the webhook URL is stored and shown masked, never echoed back; a
bad URL is shown next to its field and stores nothing; the test post says whether Slack accepted it
(against a local HTTP server started by the test)."""

from datetime import datetime

import pytest

from app.jobs.outbox import deliver_outbox
from app.models import OutboxMessage, ProgramSetting
from app.services import community
from app.services.community.slack import SETTING_KEY
from tests.services.webhooks.receiver import Receiver

HOOK_PATH = "/services/T0001/B0002/abcdefSECRETwxyz"


@pytest.fixture
def private_ok(app):
    app.config["SLACK_ALLOW_PRIVATE"] = True
    yield
    app.config["SLACK_ALLOW_PRIVATE"] = False


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _save(client, url, weekday="4", hour="16", enabled="y"):
    data = {"url": url, "weekday": weekday, "hour": hour}
    if enabled:
        data["enabled"] = enabled
    return client.post("/admin/slack", data=data)


@pytest.mark.parametrize("role", ["marketing", "csm", "advocate"])
def test_only_admins_see_or_change_the_slack_post(as_role, client, session, role):
    as_role(role)
    assert client.get("/admin/slack").status_code == 403
    assert _save(client, "https://hooks.slack.com/services/T/B/x").status_code == 403
    assert client.post("/admin/slack/test").status_code == 403
    assert session.get(ProgramSetting, SETTING_KEY) is None


def test_the_url_is_stored_and_shown_masked_never_echoed(as_role, client, session, private_ok):
    as_role("admin")
    page = client.get("/admin/slack").get_data(as_text=True)
    assert "Weekly Slack post" in page and "none yet" in page and 'href="/admin/slack"' in page  # in the nav
    url = "http://127.0.0.1:9" + HOOK_PATH
    response = _save(client, url)
    assert response.status_code == 302
    cfg = community.load_settings(session)
    assert (cfg.url, cfg.weekday, cfg.hour, cfg.enabled) == (url, 4, 16, True)
    page = client.get("/admin/slack").get_data(as_text=True)
    assert "SECRET" not in page and "abcdef" not in page and cfg.masked_url in page
    assert "on: Fridays at 16:00 (UTC)" in page and "Send a test post now" in page
    assert _save(client, "", weekday="0", hour="9", enabled="").status_code == 302  # blank keeps the URL
    assert community.load_settings(session).url == url and not community.load_settings(session).enabled


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:9/hook", "Paste a Slack incoming-webhook URL"),
    ("https://example.com/services/T/B/x", "Paste a Slack incoming-webhook URL"),
    ("", "Paste the webhook URL before turning the weekly post on."),
])
def test_a_bad_url_is_shown_next_to_its_field_and_stores_nothing(as_role, client, session, url, message):
    as_role("admin")
    response = _save(client, url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<small id="url-error" class="field-error">{message}' in page
    assert 'aria-invalid="true"' in page and "127.0.0.1:9/hook" not in page.split("<form")[1]
    session.expire_all()
    assert session.get(ProgramSetting, SETTING_KEY) is None


@pytest.mark.parametrize(("answer", "flash"), [
    (200, "Slack accepted the test post"),
    (500, "Slack did not accept the test post (HTTP 500"),
])
def test_the_test_post_says_whether_slack_accepted_it(as_role, client, session, private_ok, receiver,
                                                     answer, flash):
    as_role("admin")
    _save(client, receiver.url, enabled="")
    receiver.answers.append((answer, 0))
    response = client.post("/admin/slack/test", follow_redirects=True)
    assert flash in response.get_data(as_text=True)
    [(path, headers, body)] = receiver.requests
    assert path == "/hook" and headers["content-type"] == "application/json"
    assert b"This is a test post from Rallypoint" in body and b"/portal/" in body


def test_the_test_post_needs_a_saved_url(as_role, client):
    as_role("admin")
    response = client.post("/admin/slack/test")
    assert response.status_code == 422 and "Save a webhook URL first." in response.get_data(as_text=True)


def test_a_failing_post_shows_on_the_outbox_page_with_slacks_answer(as_role, client, session, private_ok,
                                                                    receiver):
    as_role("admin")
    _save(client, receiver.url)
    friday = datetime(2026, 6, 19, 16, 0)
    assert community.enqueue_weekly(session, now=friday, portal_url=None)
    session.commit()
    receiver.answers.append((500, 0))
    assert deliver_outbox(session, friday) == 0
    post = session.query(OutboxMessage).filter_by(channel="slack").one()
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "Slack" in listing and "Retrying" in listing and "SlackRefused: HTTP 500" in listing
    detail = client.get(f"/admin/outbox/{post.id}").get_data(as_text=True)
    assert "Block Kit JSON" in detail and "(slack post)" in detail and "&#34;blocks&#34;" in detail
