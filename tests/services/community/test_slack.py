"""The weekly Slack post against a local HTTP server started by the test: the Block Kit payload (top
ten, promotions, portal link, anonymity, no emails), the URL rule, when the post is queued (once per
week), and delivery through the outbox with retries after a 500 and after a timeout."""

import json
import socket
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.models import OutboxMessage, StaffRole, Status
from app.services import clock, community
from app.services.community import slack, slack_weekly
from app.services.errors import ValidationFailed
from app.services.messaging import outbox
from app.services.points import status as status_service
from app.services.program import settings as settings_service
from app.services.webhooks import HttpPoster
from tests.factories import fund, make_advocate, make_staff
from tests.services.webhooks.receiver import Receiver

FRIDAY_16 = datetime(2026, 6, 19, 16, 0)  # the frozen clock is Monday 15 June 2026, 12:00 UTC
PORTAL = "https://advocates.example.com/portal/"


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _configure(session, url="http://127.0.0.1:9/hook", weekday=4, hour=16, enabled=True):
    return community.save_settings(session, url=url, weekday=weekday, hour=hour, enabled=enabled,
                                   allow_private=True, actor_id=None, now=clock.utcnow())


def _seed_week(session):
    """Twelve advocates with points this week (the 3rd best opted out) and one promotion, one demotion."""
    advocates = [make_advocate(session, leaderboard_opt_out=(n == 10)) for n in range(1, 13)]
    for n, advocate in enumerate(advocates, start=1):
        fund(session, advocate, n * 100)
    admin = make_staff(session, role=StaffRole.ADMIN)
    status_service.set_status(session, advocate=advocates[11], to=Status.GOLD, reason="Keynote",
                              actor_id=admin.id, now=clock.utcnow())
    status_service.set_status(session, advocate=advocates[0], to=Status.SILVER, reason="x",
                              actor_id=admin.id, now=clock.utcnow() - timedelta(days=8))  # last week
    return advocates


def test_the_payload_is_block_kit_with_the_top_ten_promotions_and_a_link_and_no_email(session):
    advocates = _seed_week(session)
    payload = slack_weekly.weekly_payload(session, at=FRIDAY_16, portal_url=PORTAL)
    header, top, divider, promotions, actions = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text",
                                                 "text": "Rallypoint: the week of 15 Jun – 21 Jun 2026"}}
    assert payload["text"] == header["text"]["text"] and divider == {"type": "divider"}
    lines = top["text"]["text"].split("\n")
    assert top["type"] == "section" and top["text"]["type"] == "mrkdwn" and lines[0] == "*Top ten this week*"
    assert len(lines) == 11  # title + ten rows of twelve
    assert lines[1] == f"1. {advocates[11].name} ({advocates[11].company}) — 1,200 points"
    assert lines[3] == "3. Anonymous advocate — 1,000 points"  # opted out: no name, no company
    assert lines[10].startswith("10. ") and lines[10].endswith("— 300 points")
    assert promotions["text"]["text"] == f"*New promotions*\n• {advocates[11].name} reached Gold"
    assert actions["elements"][0]["url"] == PORTAL and actions["elements"][0]["type"] == "button"
    text = json.dumps(payload)
    assert "@" not in text and advocates[9].name not in text and advocates[9].company not in text


def test_a_monday_post_reports_last_week_and_an_empty_week_says_so(session):
    _seed_week(session)
    payload = slack_weekly.weekly_payload(session, at=datetime(2026, 6, 22, 9), portal_url=None)
    assert payload["text"].endswith("15 Jun – 21 Jun 2026")  # the week that just ended
    empty = slack_weekly.weekly_payload(session, at=datetime(2026, 6, 29, 9), portal_url=None)
    assert [b["type"] for b in empty["blocks"]] == ["header", "section", "divider", "section"]  # no link
    assert "No points were earned this week." in empty["blocks"][1]["text"]["text"]
    assert "No promotions this week." in empty["blocks"][3]["text"]["text"]


def test_names_are_escaped_for_slack_markup(session):
    advocate = make_advocate(session, name="<!channel> & Co", company="A<b>")
    fund(session, advocate, 50)
    text = slack_weekly.weekly_payload(session, at=FRIDAY_16, portal_url=None)["blocks"][1]["text"]["text"]
    assert "&lt;!channel&gt; &amp; Co (A&lt;b&gt;)" in text and "<!channel>" not in text


def test_the_url_must_be_a_slack_webhook_unless_private_addresses_are_allowed(session, monkeypatch):
    for bad in ("http://hooks.slack.com/services/T/B/x", "https://example.com/services/T/B/x",
                "https://hooks.slack.com/other", "not a url"):
        with pytest.raises(ValidationFailed) as refused:
            slack.check_slack_url(bad, allow_private=False)
        assert refused.value.field == "url"
    with pytest.raises(ValidationFailed, match="Paste a Slack"):
        slack.check_slack_url("http://127.0.0.1:8000/hook", allow_private=False)
    assert slack.check_slack_url(" http://127.0.0.1:8000/hook ", allow_private=True) == "http://127.0.0.1:8000/hook"
    good = "https://hooks.slack.com/services/T000/B000/XXXXsecret"
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(0, 0, 0, "", ("10.1.2.3", 0))])
    with pytest.raises(ValidationFailed, match="private or local"):  # the webhooks' address rule
        slack.check_slack_url(good, allow_private=False)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(0, 0, 0, "", ("34.1.2.3", 0))])
    assert slack.check_slack_url(good, allow_private=False) == good


def test_settings_are_stored_masked_for_display_and_a_blank_url_keeps_the_saved_one(session):
    saved = _configure(session, url="http://127.0.0.1:9/services/T1/B2/abcdSECRET")
    assert saved.masked_url == "http://127.0.0.1:9/…CRET" and "abcd" not in saved.masked_url
    again = community.save_settings(session, url="  ", weekday=0, hour=9, enabled=False, allow_private=True,
                                    actor_id=None, now=clock.utcnow())
    assert community.load_settings(session) == again
    assert (again.url, again.weekday, again.hour, again.enabled) == (saved.url, 0, 9, False)
    with pytest.raises(ValidationFailed) as refused:
        community.save_settings(session, url="", weekday=7, hour=9, enabled=False, allow_private=True,
                                actor_id=None, now=clock.utcnow())
    assert refused.value.field == "weekday"


def test_turning_it_on_needs_a_url(session):
    with pytest.raises(ValidationFailed) as refused:
        community.save_settings(session, url="", weekday=0, hour=9, enabled=True, allow_private=True,
                                actor_id=None, now=clock.utcnow())
    assert refused.value.field == "url"


def _posts(session):
    return session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "slack")).all()


def test_the_post_is_queued_once_from_its_due_hour_in_the_program_timezone(session):
    settings_service.save(session, changes={"timezone": "Europe/Berlin"}, actor_id=None, now=clock.utcnow())
    _configure(session)  # Fridays 16:00 Berlin = 14:00 UTC in June
    due = datetime(2026, 6, 19, 14, 0)
    assert community.enqueue_weekly(session, now=due - timedelta(minutes=1), portal_url=None) is False
    assert community.enqueue_weekly(session, now=due, portal_url=PORTAL) is True
    assert community.enqueue_weekly(session, now=due + timedelta(hours=1), portal_url=PORTAL) is False
    [post] = _posts(session)
    assert (post.dedupe_key, post.kind, post.to_email) == ("slack-weekly:2026-W25", "slack_weekly", "Slack")
    assert json.loads(post.body_text)["blocks"][0]["type"] == "header"
    assert community.enqueue_weekly(session, now=due + timedelta(days=1, minutes=1), portal_url=None) is False
    next_week = due + timedelta(days=7)
    assert community.enqueue_weekly(session, now=next_week, portal_url=None) is True
    assert [p.dedupe_key for p in _posts(session)] == ["slack-weekly:2026-W25", "slack-weekly:2026-W26"]


def test_nothing_is_queued_while_the_post_is_off(session):
    _configure(session, enabled=False)
    assert community.enqueue_weekly(session, now=FRIDAY_16, portal_url=None) is False
    assert _posts(session) == []


def _deliver(session, url, at, timeout=10.0):
    sender = outbox.ChannelSender({"slack": slack.SlackSender(url, HttpPoster(allow_private=True,
                                                                               timeout=timeout))})
    return outbox.deliver_due(session, sender=sender, now=at, commit=session.commit, channels=("slack",))


def test_the_outbox_posts_the_json_and_retries_after_a_500_and_a_timeout(session, receiver):
    _configure(session, url=receiver.url)
    advocate = make_advocate(session)
    fund(session, advocate, 300)
    reset = {"link": "http://x", "name": "X", "program": "P", "minutes": 60}
    outbox.enqueue(session, dedupe_key="mail:1", kind="test", to_email="x@example.com", subject="s",
                   template="password_reset", context=reset, now=FRIDAY_16)
    community.enqueue_weekly(session, now=FRIDAY_16, portal_url=None)
    session.commit()
    receiver.answers.extend([(500, 0), (200, 1.0), (200, 0)])
    assert _deliver(session, receiver.url, FRIDAY_16) == 0
    [post] = _posts(session)
    assert post.attempts == 1 and "HTTP 500" in post.last_error and post.sent_at is None
    assert _deliver(session, receiver.url, FRIDAY_16 + timedelta(seconds=30)) == 0  # backing off
    assert _deliver(session, receiver.url, FRIDAY_16 + outbox.BACKOFF[0], timeout=0.3) == 0
    session.refresh(post)
    assert post.attempts == 2 and "timed out" in post.last_error
    later = FRIDAY_16 + outbox.BACKOFF[0] + outbox.BACKOFF[1]
    assert _deliver(session, receiver.url, later) == 1
    session.refresh(post)
    assert post.sent_at == later and post.failed_at is None
    bodies = [json.loads(body) for _, _, body in receiver.requests]
    assert len(bodies) == 3 and all(b == json.loads(post.body_text) for b in bodies)
    assert receiver.requests[0][1]["content-type"] == "application/json"
    email = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")).one()
    assert email.attempts == 0 and email.sent_at is None  # no SMTP sender: the email waits untouched
