"""The weekly Slack post's settings, its incoming-webhook URL rule, and sending a post.

The settings live in one program_setting row (SETTING_KEY): the webhook URL (a secret: pages show it
masked, never echo it), the weekday and hour in the program's timezone, and whether the post is on.
A URL must be https://hooks.slack.com/services/…, unless the operator allows private addresses
(SLACK_ALLOW_PRIVATE), which also allows any http(s) receiver such as a local test server; the
private/loopback rule itself is the webhooks' (`webhooks.check_url`), checked again before each send.
Posts go out through the outbox (channel "slack"); `SlackSender` is that channel's sender.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app.models import OutboxMessage, ProgramSetting
from app.services.errors import ValidationFailed
from app.services.program import settings as settings_service
from app.services.webhooks import HttpPoster, Response, check_url
from app.services.webhooks.delivery import Poster

SETTING_KEY = "slack_weekly_post"
CHANNEL = "slack"
SLACK_HOST = "hooks.slack.com"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HEADERS = {"content-type": "application/json", "user-agent": "Rallypoint-Slack/1"}


@dataclass(frozen=True)
class SlackSettings:
    url: str = ""
    weekday: int = 0  # Monday
    hour: int = 9
    enabled: bool = False

    @property
    def masked_url(self) -> str:
        return mask(self.url)

    @property
    def when(self) -> str:
        return f"{WEEKDAYS[self.weekday]}s at {self.hour:02d}:00"


def mask(url: str) -> str:
    """Enough of a webhook URL to recognise it, never enough to use it: host and last four characters."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…{url[-4:]}"


def load_settings(session: Session) -> SlackSettings:
    row = session.get(ProgramSetting, SETTING_KEY)
    values = row.value if row is not None and isinstance(row.value, dict) else {}
    fields = ("url", "weekday", "hour", "enabled")
    return SlackSettings(**{key: values[key] for key in fields if key in values})


def check_slack_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if the post may go there; ValidationFailed (field "url") otherwise."""
    url = url.strip()
    parts = urlsplit(url)
    if not allow_private and (parts.scheme != "https" or parts.hostname != SLACK_HOST
                              or not parts.path.startswith("/services/")):
        raise ValidationFailed("Paste a Slack incoming-webhook URL: https://hooks.slack.com/services/…",
                               field="url")
    return check_url(url, allow_private=allow_private)


def save_settings(session: Session, *, url: str, weekday: int, hour: int, enabled: bool,
                  allow_private: bool, actor_id: int | None, now: datetime) -> SlackSettings:
    """Store the post's settings; a blank `url` keeps the stored one. Raises ValidationFailed."""
    current = load_settings(session)
    url = check_slack_url(url, allow_private=allow_private) if url.strip() else current.url
    if weekday not in range(7):
        raise ValidationFailed("Choose a day of the week.", field="weekday")
    if hour not in range(24):
        raise ValidationFailed("Choose an hour from 0 to 23.", field="hour")
    if enabled and not url:
        raise ValidationFailed("Paste the webhook URL before turning the weekly post on.", field="url")
    saved = SlackSettings(url=url, weekday=weekday, hour=hour, enabled=enabled)
    row = session.get(ProgramSetting, SETTING_KEY) or ProgramSetting(key=SETTING_KEY)
    row.value = {"url": saved.url, "weekday": saved.weekday, "hour": saved.hour, "enabled": saved.enabled}
    row.updated_at, row.updated_by_id = now, actor_id
    session.add(row)
    session.flush()
    return saved


class SlackRefused(Exception):
    """Slack (or the receiver) did not accept a post: no answer, or a non-2xx status."""


def accepted(response: Response) -> bool:
    return response.status is not None and 200 <= response.status < 300


def describe(response: Response) -> str:
    if response.status is None:
        return f"no answer ({response.text})"
    return f"HTTP {response.status}: {response.text[:200]}" if response.text else f"HTTP {response.status}"


def post(url: str, body: str, poster: Poster) -> Response:
    """POST one message's JSON to the webhook URL (the poster's timeout, no redirects followed)."""
    return poster.post(url, body.encode(), dict(HEADERS))


@dataclass(frozen=True)
class SlackSender:
    """The outbox's sender for channel "slack": posts the stored Block Kit JSON to the webhook URL."""

    url: str
    poster: Poster

    def send(self, message: OutboxMessage) -> None:
        response = post(self.url, message.body_text, self.poster)
        if not accepted(response):
            raise SlackRefused(describe(response))


def sender(session: Session, *, allow_private: bool) -> SlackSender | None:
    """The sender for Slack posts, or None while no webhook URL is stored (posts then wait)."""
    url = load_settings(session).url
    return SlackSender(url, HttpPoster(allow_private=allow_private)) if url else None


def test_post(session: Session, *, portal_url: str | None) -> tuple[str, str]:
    """(webhook URL, JSON body) of a test post; ValidationFailed when no URL is stored."""
    cfg = load_settings(session)
    if not cfg.url:
        raise ValidationFailed("Save a webhook URL first.", field="url")
    program = settings_service.load(session)
    text = (f"This is a test post from {program.program_name}. The weekly post goes out on {cfg.when} "
            f"({program.timezone}){'' if cfg.enabled else ' once it is turned on'}.")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}]
    if portal_url:
        blocks.append(portal_button(portal_url))
    return cfg.url, json.dumps({"text": text, "blocks": blocks})


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: &, < and > are control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def portal_button(url: str) -> dict:
    return {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Open the advocate portal"}, "url": url}]}
