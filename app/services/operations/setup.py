"""Starting a production program (SPEC §16): `flask setup` on an empty database.

One transaction loads the default reward tiers and activity catalog of SPEC §2 (the same source as
the demo: services/missions/default_catalog.py), a few starter missions so the default trigger rules (made
by the migrations) and the path to Silver have something to offer from day one, and invites the
first admin. Program settings keep their code defaults; only a given program name is written.

A row in program_setting (SETUP_KEY) records the set-up, so a second run can tell "already set up"
(nothing changes, not an error) from a database that holds something else, such as the demo or a
program made by hand, which it refuses (NotEmpty) without touching.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    ActivityType,
    Advocate,
    Invite,
    Mission,
    ProgramSetting,
    RewardTierBand,
    StaffRole,
    StaffUser,
)
from app.services.errors import Conflict, ValidationFailed
from app.services.missions.default_catalog import load_catalog
from app.services.people import accounts
from app.services.program import settings as settings_service

SETUP_KEY = "program_setup"  # not an admin setting: settings.load ignores it
STARTER_DAYS = 365
# (activity key, title, instructions): the kinds the default trigger rules ask for, which are also
# Silver's default qualifying kinds (a review or testimonial) — so a Bronze advocate has a way up.
STARTER_MISSIONS = (
    ("review_site", "Review us on a review site",
     "Share an honest review on G2, Capterra or TrustRadius (what works and what does not both help "
     "buyers), then paste the link to your published review here."),
    ("testimonial_quote", "Give us a quote about working with us",
     "One or two sentences, in your own words, on the difference we made. We will show you where it "
     "appears before it goes live."),
    ("social_post", "Share a win on LinkedIn or X",
     "Post about something your team achieved with us and paste the link to your post."),
)
CONTENTS = (("staff", StaffUser), ("advocates", Advocate), ("activities", ActivityType),
            ("reward tiers", RewardTierBand), ("missions", Mission))


class NotEmpty(Conflict):
    code = "not_empty"


@dataclass
class SetupResult:
    created: bool  # False: set up by an earlier run; nothing changed
    admin_email: str
    set_up_at: datetime
    counts: dict[str, int]
    invite: Invite | None = None  # this run's invitation of the first admin
    admin_joined: bool = False  # for an earlier set-up: whether the first admin accepted


def set_up(session: Session, *, admin_email: str, admin_name: str, now: datetime, valid_days: int,
           program_name: str | None = None) -> SetupResult:
    """Set up an empty database as a new program and invite its first admin (flushes, never commits).

    Raises ValidationFailed (field admin_email, name or program_name) for bad input, and NotEmpty
    when the database holds data that no earlier set-up made. On a database set up before, returns
    that set-up (created=False) and changes nothing."""
    email = _checked_email(admin_email)
    name = _checked_text(admin_name, "name", 120, "the first admin's name")
    if program_name is not None:
        program_name = _checked_text(program_name, "program_name", 80, "the program's name")
    marker = session.get(ProgramSetting, SETUP_KEY)
    if marker is not None:
        return _earlier(session, marker)
    found = contents(session)
    if any(found.values()):
        held = ", ".join(f"{n:,} {what}" for what, n in found.items() if n)
        raise NotEmpty(f"This database already holds a program that setup did not make ({held}); "
                       "nothing was changed. Setup only starts an empty database.")
    activities = load_catalog(session, now)
    invite = accounts.invite_staff(session, email=email, name=name, role=StaffRole.ADMIN, invited_by=None,
                                   now=now, valid_days=valid_days)
    _starter_missions(session, activities, invite.staff_id, now)
    if program_name is not None:
        settings_service.save(session, changes={"program_name": program_name}, actor_id=None, now=now)
    session.add(ProgramSetting(key=SETUP_KEY, value={"at": now.isoformat(), "admin_email": email},
                               updated_at=now))
    session.flush()
    return SetupResult(True, email, now, contents(session), invite=invite)


def contents(session: Session) -> dict[str, int]:
    """How many staff, advocates, activities, reward tiers and missions the database holds."""
    return {what: session.scalar(select(func.count()).select_from(model)) for what, model in CONTENTS}


def _earlier(session: Session, marker: ProgramSetting) -> SetupResult:
    email = marker.value["admin_email"]
    joined = session.scalar(select(StaffUser.password_hash).where(StaffUser.email == email)) is not None
    return SetupResult(False, email, datetime.fromisoformat(marker.value["at"]), contents(session),
                       admin_joined=joined)


def _starter_missions(session: Session, activities: dict[str, ActivityType], author_id: int,
                      now: datetime) -> list[Mission]:
    opens = now.replace(microsecond=0)
    missions = [Mission(title=title, instructions=text, activity=activities[key], audience={},
                        opens_at=opens, closes_at=opens + timedelta(days=STARTER_DAYS),
                        created_by_id=author_id, created_at=now, completed_count=0, archived=False)
                for key, title, text in STARTER_MISSIONS]
    session.add_all(missions)
    session.flush()
    return missions


def _checked_email(email: str) -> str:
    try:
        checked = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationFailed(f"{email!r} is not a valid email address: {error}",
                               field="admin_email") from None
    return accounts.normalise_email(checked.normalized)


def _checked_text(value: str, field: str, limit: int, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"Give {what}.", field=field)
    if len(text) > limit:
        raise ValidationFailed(f"Keep {what} to {limit} characters.", field=field)
    return text
