"""The demo program: staff, missions and advocates with six months of history built by the services.

Every active demo advocate (and every staff user) signs in with DEMO_PASSWORD; the password is
hashed once and the hash shared. Invited advocates have no password until they accept.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    Attempt,
    AttemptState,
    LedgerEntry,
    Referral,
    StaffRole,
    StaffUser,
    Status,
)
from app.services import asks
from app.services.people import accounts, passwords
from app.services.periods import period_start
from app.services.program import settings as settings_service
from seeds import personas
from seeds.content import load_content
from seeds.customers import load_customers
from seeds.history import Replay
from seeds.opportunities import load_opportunities
from seeds.people import DEMO_PASSWORD, STAFF, Profile, make_advocate, make_staff, profiles
from seeds.plan import Planner
from seeds.program import make_missions
from seeds.references import load_references
from seeds.referrals import load_referrals
from seeds.rewards import load_rewards
from seeds.triggers import load_trigger_events

URL = "http://127.0.0.1:5000"
SHOWCASE = (
    (Profile("Maya Thompson", "maya.thompson@brightlane.test", "Brightlane", "Software", "201-1000",
             "North America"), "showcase"),
    (Profile("Daniel Okafor", "daniel.okafor@harborbank.test", "Harbor Bank", "Financial Services",
             "5000+", "North America"), "silver"),
    (Profile("Sofia Lindqvist", "sofia.lindqvist@medisync.test", "Medisync", "Healthcare", "1001-5000",
             "EMEA"), "champion"),
    (Profile("Elena Romero", "elena.romero@quantapay.test", "Quanta Pay", "Financial Services",
             "201-1000", "EMEA"), "founder_board"),
    (Profile("Marcus Becker", "marcus.becker@keelstone.test", "Keelstone", "Manufacturing", "1001-5000",
             "EMEA"), "founder"),
)
DEMO_LOGINS = 4
# (upper bound of a random draw, persona) for everyone after the showcase advocates.
MIX = ((0.05, "invited"), (0.08, "paused"), (0.09, "opted_out"), (0.13, "champion"), (0.27, "silver"),
       (0.72, "busy"), (1.0, "quiet"))
JOINED_DAYS_AGO = {"founder": (240, 240), "founder_board": (240, 240), "champion": (175, 185),
                   "silver": (60, 180), "busy": (20, 178), "quiet": (5, 150), "paused": (30, 170),
                   "opted_out": (30, 170), "showcase": (150, 150)}


@dataclass
class DemoResult:
    counts: dict[str, int]
    logins: str
    steps: dict[str, int]  # steps replayed by kind, and those the rules refused ("start refused")

    def describe(self) -> str:
        c = self.counts
        return (
            f"Rallypoint demo program loaded: {c['activities']} activities, {c['missions']} missions, "
            f"{c['advocates']} advocates (Bronze {c['bronze']}, Silver {c['silver']}, Gold {c['gold']}, "
            f"Platinum {c['platinum']}), {c['entries']} ledger entries, {c['waiting']} submissions "
            f"waiting for approval, {c.get('asks_sent', 0)} asks sent and {c.get('asks_queued', 0)} "
            f"queued, {c.get('trigger_events', 0)} trigger events, {c.get('referrals', 0)} referrals, "
            f"{c.get('prospects', 0)} customers not yet invited (scored: see Qualified advocates), "
            f"{c.get('content_items', 0)} content library items."
            f"\n\n{self.logins}"
        )


def logins_text(session: Session) -> str | None:
    """The demo sign-ins that exist in this database, or None when it holds no demo program."""
    found_staff = {s.email: s for s in session.scalars(select(StaffUser).where(
        StaffUser.email.in_([email for email, _, _ in STAFF])))}
    staff = {email: found_staff[email] for email, _, _ in STAFF if email in found_staff}
    if not staff:
        return None
    lines = [f"Open {URL} and sign in with the password: {DEMO_PASSWORD}", "  Staff:"]
    lines += [f"    {email:<34} {s.name} ({s.role.value})" for email, s in staff.items()]
    emails = [profile.email for profile, _ in SHOWCASE[:DEMO_LOGINS]]
    found = {a.email: a for a in session.scalars(select(Advocate).where(Advocate.email.in_(emails)))}
    lines.append("  Advocates:")
    lines += [f"    {a.email:<34} {a.name} ({a.status.label})" for e in emails if (a := found.get(e))]
    lines.append("  Every active demo advocate signs in with the same password; invited ones have none yet.")
    return "\n".join(lines)


def load_demo(session: Session, *, activities: dict[str, ActivityType], advocates: int, now: datetime,
              seed: int = 2026) -> DemoResult:
    rng = random.Random(seed)
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    staff = make_staff(session, password_hash, now)
    missions = make_missions(session, activities, staff[StaffRole.MARKETING], now)
    cast = _cast(session, rng, advocates, now, password_hash, staff)
    planner = Planner(rng, now, missions, {a.id: a for a, _, _ in cast})
    starts = _period_starts(session, now)
    for advocate, persona, joined in cast:
        _plan(planner, advocate.id, persona, joined, starts)
    outcome = Replay(session, rng, {a.id: a for a, _, _ in cast}, missions, staff[StaffRole.ADMIN],
                     staff[StaffRole.MARKETING]).run(planner.steps)
    for advocate, persona, _ in cast:
        if persona in ("paused", "opted_out"):
            advocate.state = AdvocateState(persona)
    session.flush()
    _push_asks(session, missions, staff[StaffRole.MARKETING], now)
    trigger_events = load_trigger_events(session, cast, staff[StaffRole.MARKETING], now)
    referrers = [a for a, _, _ in cast if a.state == AdvocateState.ACTIVE]
    load_referrals(session, rng, referrers, staff[StaffRole.MARKETING], now)
    load_rewards(session, rng, staff[StaffRole.MARKETING], now)
    reference_requests = load_references(session, rng, staff[StaffRole.MARKETING], now)
    content_items = load_content(session, rng, staff[StaffRole.MARKETING], now)
    opportunities = load_opportunities(session, now)
    counts = _counts(session, activities, missions)
    counts["content_items"] = content_items
    counts["prospects"] = load_customers(session, now=now, seed=seed).created
    counts["trigger_events"] = trigger_events
    counts["reference_requests"] = reference_requests
    counts["opportunities"] = opportunities
    counts["refused"] = sum(n for kind, n in outcome.items() if kind.endswith(" refused"))
    return DemoResult(counts, logins_text(session), dict(outcome))


def _cast(session, rng, count, now, password_hash, staff) -> list[tuple[Advocate, str, datetime]]:
    """Create the advocates; each gets a persona and the moment they joined the program."""
    showcase = list(SHOWCASE[:count])
    taken = {p.email for p, _ in showcase}
    others = [p for p in profiles(rng, count + len(showcase)) if p.email not in taken][:count - len(showcase)]
    cast = []
    for profile, persona in showcase + [(p, _persona(rng)) for p in others]:
        if persona == "invited":
            _invite(session, rng, profile, staff[StaffRole.ADMIN], now)
            continue
        low, high = JOINED_DAYS_AGO.get(persona, (20, 178))
        joined = (now - timedelta(days=rng.uniform(low, high))).replace(microsecond=0)
        key_account = persona in ("founder", "founder_board", "champion")
        owner = staff[StaffRole.CSM].id if key_account or rng.random() < 0.4 else None
        cast.append((make_advocate(session, rng, profile, joined=joined, password_hash=password_hash,
                                   owner_id=owner), persona, joined))
    session.flush()
    return cast


def _persona(rng: random.Random) -> str:
    draw = rng.random()
    return next(persona for bound, persona in MIX if draw < bound)


def _invite(session, rng, profile: Profile, admin: StaffUser, now: datetime) -> None:
    accounts.invite_advocate(session, profile=accounts.AdvocateProfile(
        name=profile.name, email=profile.email, company=profile.company, industry=profile.industry,
        company_size=profile.company_size, region=profile.region),
        invited_by=admin, now=now - timedelta(days=rng.uniform(1, 10)), valid_days=14)


def _period_starts(session: Session, now: datetime) -> dict[str, datetime]:
    """This week's and this month's first instant (program timezone) as naive UTC."""
    tz = settings_service.load(session).timezone
    result = {}
    for period in ("week", "month"):
        local = datetime.combine(period_start(now, tz, period), time(), tzinfo=ZoneInfo(tz))
        result[period] = local.astimezone(UTC).replace(tzinfo=None)
    return result


def _plan(p: Planner, advocate_id: int, persona: str, joined: datetime, starts: dict) -> None:
    if persona == "showcase":
        personas.plan_showcase_bronze(p, advocate_id, starts["week"])
    elif persona in ("founder", "founder_board"):
        personas.plan_founder(p, advocate_id, advisory_done=persona == "founder_board")
    elif persona == "champion":
        personas.plan_champion(p, advocate_id, joined)
    elif persona == "silver":
        personas.plan_silver(p, advocate_id, joined)
    else:
        personas.plan_bronze(p, advocate_id, joined, busy=persona == "busy")
    for period, chance in (("week", 0.12), ("month", 0.1)):
        if persona != "showcase" and p.rng.random() < chance:
            p.recent(advocate_id, personas.RECENT_KEYS, starts[period])
    personas.plan_visits(p, advocate_id, joined)


# (mission, days ago, priority, segment): pushes through the governor, so the ask queue and the
# sent / queued / blocked outcomes look like a program that has been asking for a while.
PUSHES = (("g2_review", 20, 0, asks.SegmentFilters()),
          ("prospect_call", 6, 5, asks.SegmentFilters(statuses=(Status.SILVER, Status.GOLD))),
          ("website_quote", 2, 2, asks.SegmentFilters(regions=("EMEA", "North America"))))


def _push_asks(session: Session, missions, marketing: StaffUser, now: datetime) -> None:
    for key, days_ago, priority, filters in PUSHES:
        asks.push_mission(session, staff=marketing, mission_id=missions[key].id, filters=filters,
                          priority=priority, now=(now - timedelta(days=days_ago)).replace(microsecond=0))


def _counts(session: Session, activities, missions) -> dict[str, int]:
    by_status = dict(session.execute(select(Advocate.status, func.count()).group_by(Advocate.status)).all())
    return {
        "activities": len(activities), "missions": len(missions),
        "advocates": session.scalar(select(func.count()).select_from(Advocate)),
        "entries": session.scalar(select(func.count()).select_from(LedgerEntry)),
        **{f"asks_{state.value}": n for state, n in
           session.execute(select(Ask.state, func.count()).group_by(Ask.state))},
        "referrals": session.scalar(select(func.count()).select_from(Referral)),
        "waiting": session.scalar(select(func.count()).select_from(Attempt)
                                  .where(Attempt.state == AttemptState.SUBMITTED)),
        **{s.value: by_status.get(s, 0) for s in Status},
    }
