"""What each kind of demo advocate did over the last six months, as planned steps.

Paths to status follow SPEC §5 through the real rules: Silver needs 1,000 points and an approved
review or testimonial, Gold needs 3,000 and an approved case study, and Platinum needs 7,500 and
Gold held for six months, which only the founding advocates (Gold carried over from the previous
program by an admin, more than six months ago) can have by now. The showcase Bronze advocate has
the points for Silver and a testimonial waiting for approval: approving it promotes her.
"""

from datetime import datetime, timedelta

from app.models import LedgerReason, Status
from seeds.plan import AttemptTimes, Planner

BRONZE_KEYS = ("nps_spring", "nps_summer", "g2_review", "capterra_finserv", "website_quote",
               "linkedin_feature", "team_win", "refer_peer", "beta_workspace", "beta_assistant")
RECENT_KEYS = ("nps_summer", "team_win", "refer_peer", "linkedin_feature", "g2_review", "website_quote")
OUTCOMES = ("approve",) * 16 + ("reject", "reject_approve", "expire", "decline")
PEERS = ("Lumen Learning Co", "Atlas Outfitters", "Kiwi Cloud", "Vantage Assurance", "Summit Travel",
         "Beacon Manufacturing", "Helix Biotech", "Civic Works")


def random_attempt(p: Planner, advocate_id: int, key: str, joined: datetime, outcome=None,
                   latest: datetime | None = None) -> bool:
    """Try `key` at a random moment between joining (or the mission opening) and `latest`."""
    mission = p.missions[key]
    low = max(joined, mission.opens_at)
    high = min(latest or p.now, mission.closes_at, p.now)
    if high <= low:
        return False
    return p.attempt(advocate_id, key, p.between(low, high), outcome or p.rng.choice(OUTCOMES))


def award(p: Planner, advocate_id: int, at: datetime, reason: LedgerReason) -> None:
    peer = p.rng.choice(PEERS)
    if reason == LedgerReason.REFERENCE:
        p.award(advocate_id, at, reason, 400, f"Reference call with a prospect at {peer}")
    elif reason == LedgerReason.REFERRAL:
        p.award(advocate_id, at, reason, 400, f"Referral bonus: {peer} became a customer")
    else:
        p.award(advocate_id, at, reason, 250, "Advocate of the month")


def plan_founder(p: Planner, advocate_id: int, advisory_done: bool) -> None:
    """Founding advocate: Gold carried over more than six months ago, Platinum earned recently."""
    ago = p.days_ago
    p.award(advocate_id, ago(206, 205), LedgerReason.BONUS, 5200,
            "Points carried over from the previous advocacy program")
    p.set_status(advocate_id, ago(204, 203), Status.GOLD,
                 "Founding advocate: Gold status carried over from the previous program")
    for key, low, high in (("nps_spring", 175, 160), ("g2_review", 155, 140), ("prospect_call", 125, 110),
                           ("case_study", 105, 90), ("webinar_guest", 85, 70)):
        p.attempt(advocate_id, key, ago(low, high), "approve")
    p.attempt(advocate_id, "team_win", ago(16, 15), "approve", AttemptTimes(ago(16, 15), ago(14, 13),
                                                                           ago(12, 11)))
    outcome = "approve" if advisory_done else "in_progress"
    p.attempt(advocate_id, "advisory_board", ago(6, 5), outcome,
              AttemptTimes(ago(6, 5), ago(4.5, 4), ago(3, 2.5)))


def plan_champion(p: Planner, advocate_id: int, joined: datetime) -> None:
    """Bronze to Silver (referrals and a reference) to Gold (a case study); some then host a webinar."""
    ago = p.days_ago
    for key, low, high in (("nps_spring", 170, 150), ("g2_review", 150, 130), ("linkedin_feature", 140, 110)):
        p.attempt(advocate_id, key, ago(low, high), "approve")
    award(p, advocate_id, ago(130, 115), LedgerReason.REFERRAL)
    award(p, advocate_id, ago(110, 100), LedgerReason.REFERRAL)
    award(p, advocate_id, ago(98, 92), LedgerReason.REFERENCE)
    p.attempt(advocate_id, "website_quote", ago(90, 75), "approve")
    award(p, advocate_id, ago(72, 70), LedgerReason.BONUS)
    p.attempt(advocate_id, "prospect_call", ago(68, 58), "approve")
    p.attempt(advocate_id, "case_study", ago(55, 40), "approve")
    if p.rng.random() < 0.6:
        p.attempt(advocate_id, "webinar_guest", ago(30, 12), p.rng.choice(("approve", "approve", "pending")))
    random_attempt(p, advocate_id, "nps_summer", joined)


def plan_silver(p: Planner, advocate_id: int, joined: datetime) -> None:
    """A few approved missions, a referral and a reference from the reference program."""
    for key in ("g2_review", "linkedin_feature", p.rng.choice(("website_quote", "beta_workspace"))):
        random_attempt(p, advocate_id, key, joined, "approve", latest=p.now - timedelta(days=20))
    window = max((p.now - joined).days - 20, 2)
    award(p, advocate_id, p.now - timedelta(days=p.rng.uniform(20, 20 + window)), LedgerReason.REFERRAL)
    award(p, advocate_id, p.now - timedelta(days=p.rng.uniform(10, 19)), LedgerReason.REFERENCE)
    random_attempt(p, advocate_id, p.rng.choice(("nps_summer", "team_win", "refer_peer")), joined)
    if p.rng.random() < 0.4:
        p.attempt(advocate_id, "prospect_call", p.days_ago(9, 1), p.rng.choice(("approve", "pending")))


def plan_bronze(p: Planner, advocate_id: int, joined: datetime, busy: bool) -> None:
    count = p.rng.randint(2, 5) if busy else p.rng.randint(0, 1)
    for key in p.rng.sample(BRONZE_KEYS, count):
        random_attempt(p, advocate_id, key, joined)
    if busy and p.rng.random() < 0.15:
        award(p, advocate_id, p.between(joined, p.now), LedgerReason.REFERRAL)


def plan_showcase_bronze(p: Planner, advocate_id: int, week_start: datetime) -> None:
    """The first demo login: a little of everything, so every part of the dashboard has content."""
    ago = p.days_ago
    p.attempt(advocate_id, "nps_spring", ago(141, 140), "approve")
    p.attempt(advocate_id, "linkedin_feature", ago(91, 90), "approve")
    p.attempt(advocate_id, "refer_peer", ago(61, 60), "approve")
    p.attempt(advocate_id, "g2_review", ago(5, 5), "reject", AttemptTimes(ago(5, 5), ago(4, 4), ago(2, 2)))
    p.attempt(advocate_id, "website_quote", ago(3, 3), "pending", AttemptTimes(ago(3, 3), ago(1, 1)))
    p.attempt(advocate_id, "team_win", ago(1, 1), "in_progress")
    p.recent(advocate_id, ("nps_summer",), week_start)


def plan_visits(p: Planner, advocate_id: int, joined: datetime) -> None:
    """Sign-ins that read the notifications so far (the most recent ones stay unread)."""
    for _ in range(p.rng.randint(1, 3)):
        p.visit(advocate_id, p.between(max(joined, p.now - timedelta(days=60)), p.now - timedelta(days=2)))
