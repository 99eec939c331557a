"""The weekly Slack post: its Block Kit message and queueing it once per week.

The post is due at the chosen weekday and hour in the program's timezone. An hourly job calls
`enqueue_weekly`; from the due moment for WINDOW (a scheduler that was down catches up, a post is
never days late) it stores the post in the outbox under `slack-weekly:<ISO year>-W<week>` of the
due moment, so two schedulers or two runs store it once, and the outbox delivers it with retries.

The post reports the calendar week (Monday to Sunday, program timezone) holding most of the seven
days before the due moment: a Friday post shows this week, a Monday post last week. Its top ten come
from the week leaderboard (opted-out, left or not yet joined advocates are "Anonymous advocate");
its promotions are the status rises of that week. No email or advocate id is ever in it.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Advocate, OutboxMessage, StatusChange
from app.services.community import slack
from app.services.messaging import outbox
from app.services.periods import period_start, to_local, to_utc
from app.services.points import leaderboards
from app.services.program import settings as settings_service

TOP = 10
MAX_PROMOTIONS = 20
WINDOW = timedelta(hours=24)
KIND = "slack_weekly"


@dataclass(frozen=True)
class Promotion:
    name: str
    status: str


def due_moment(now: datetime, cfg: slack.SlackSettings, tz_name: str) -> datetime:
    """This week's due moment (naive UTC): the chosen weekday and hour of `now`'s local week."""
    monday = period_start(now, tz_name, "week")
    local = datetime.combine(monday + timedelta(days=cfg.weekday), datetime.min.time()).replace(hour=cfg.hour)
    return to_utc(local, tz_name)


def dedupe_key(due: datetime, tz_name: str) -> str:
    year, week, _ = to_local(due, tz_name).isocalendar()
    return f"slack-weekly:{year}-W{week:02d}"


def enqueue_weekly(session: Session, *, now: datetime, portal_url: str | None) -> bool:
    """Queue this week's post if it is on, due and not queued yet; True if this call stored it."""
    cfg = slack.load_settings(session)
    if not (cfg.enabled and cfg.url):
        return False
    tz_name = settings_service.load(session).timezone
    due = due_moment(now, cfg, tz_name)
    if not due <= now < due + WINDOW:
        return False
    key = dedupe_key(due, tz_name)
    if session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
        return False
    payload = weekly_payload(session, at=due, portal_url=portal_url)
    return outbox.enqueue_post(session, channel=slack.CHANNEL, dedupe_key=key, kind=KIND, to="Slack",
                               subject=payload["text"], body=json.dumps(payload), now=now)


def reported_week(at: datetime, tz_name: str) -> date:
    """The Monday of the calendar week holding most of the seven days before `at`."""
    return period_start(at - timedelta(days=3, hours=12), tz_name, "week")


def weekly_payload(session: Session, *, at: datetime, portal_url: str | None) -> dict:
    """The Block Kit message of the post due at `at`: header, top ten, promotions, portal link."""
    program = settings_service.load(session)
    monday = reported_week(at, program.timezone)
    start_utc = to_utc(datetime.combine(monday, datetime.min.time()), program.timezone)
    board = leaderboards.board(session, period="week", now=start_utc, limit=TOP)
    promotions = week_promotions(session, start=start_utc,
                                 end=to_utc(datetime.combine(monday + timedelta(days=7), datetime.min.time()),
                                            program.timezone))
    title = f"{program.program_name}: the week of {_span(monday)}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        _section("*Top ten this week*", [f"{row.rank}. {_who(row.name, row.company)} — {row.points:,} points"
                                         for row in board.rows], "No points were earned this week."),
        {"type": "divider"},
        _section("*New promotions*", [f"• {slack.escape(p.name)} reached {p.status}"
                                      for p in promotions], "No promotions this week."),
    ]
    if portal_url:
        blocks.append(slack.portal_button(portal_url))
    return {"text": title, "blocks": blocks}


def _span(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"


def _who(name: str, company: str) -> str:
    return slack.escape(f"{name} ({company})" if company else name)


def _section(title: str, lines: list[str], empty: str) -> dict:
    text = "\n".join([title, *(lines or [empty])])[:3000]  # Slack's limit for a section's text
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def week_promotions(session: Session, *, start: datetime, end: datetime) -> list[Promotion]:
    """Status rises between start and end (naive UTC), oldest first, with the public name."""
    rows = session.execute(
        sa.select(StatusChange.from_status, StatusChange.to_status, *leaderboards.SHOWN)
        .join(Advocate, Advocate.id == StatusChange.advocate_id)
        .where(StatusChange.at >= start, StatusChange.at < end)
        .order_by(StatusChange.at, StatusChange.id)).all()
    rises = [row for row in rows if row.to_status.rank > row.from_status.rank]
    return [Promotion(leaderboards.ANONYMOUS if leaderboards.is_hidden(row) else row.name,
                      row.to_status.label) for row in rises[:MAX_PROMOTIONS]]
