"""The default reward-tier bands and activity catalog of SPEC §2 (every value editable afterwards).

`flask setup` (services/operations/setup.py) and the demo (seeds/) both load them from here."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import ActivityKind, ActivityType, Effort, Evidence, RewardTierBand, Status, Value

# (key, name, points), in display order.
BANDS = (
    ("standard", "Standard", 50),
    ("plus", "Plus", 150),
    ("premium", "Premium", 400),
    ("elite", "Elite", 1000),
)


@dataclass(frozen=True)
class ActivitySeed:
    key: str
    name: str
    kind: ActivityKind
    effort: Effort
    value: Value
    band: str
    cooldown_days: int
    min_status: Status
    expires_after_days: int
    evidence: Evidence
    requires_approval: bool
    counts_as_ask: bool
    description: str


def _a(key, name, kind, effort, value, band, cooldown, min_status, expires, evidence, approval, ask, text):
    return ActivitySeed(key, name, kind, effort, value, band, cooldown, min_status, expires, evidence,
                        approval, ask, text)


K, E, V, S, EV = ActivityKind, Effort, Value, Status, Evidence
ACTIVITIES = (
    _a("nps_survey", "NPS survey", K.SURVEY, E.LOW, V.MEDIUM, "standard", 90, S.BRONZE, 7, EV.NONE,
       False, False, "Two minutes, one question: how likely are you to recommend us? Points land as "
       "soon as you answer."),
    _a("review_site", "Review on a review site", K.REVIEW, E.LOW, V.HIGH, "plus", 180, S.BRONZE, 14,
       EV.LINK, True, True, "Share an honest review on G2, Capterra or TrustRadius and paste the link "
       "to your published review."),
    _a("testimonial_quote", "Testimonial quote", K.TESTIMONIAL, E.LOW, V.HIGH, "plus", 365, S.BRONZE, 14,
       EV.TEXT, True, True, "A sentence or two, in your own words, that we may quote on our website "
       "with your name and company."),
    _a("social_post", "Social post", K.SOCIAL_POST, E.LOW, V.MEDIUM, "standard", 14, S.BRONZE, 7,
       EV.LINK, True, False, "Post about a win with us on LinkedIn or X and paste the link to your post."),
    _a("referral", "Referral", K.REFERRAL, E.LOW, V.VERY_HIGH, "premium", 0, S.BRONZE, 30, EV.TEXT,
       True, False, "Introduce a peer who could use Rallypoint: their name, company and how you know "
       "them. Points once our team has spoken with them."),
    _a("beta_feedback", "Beta feedback", K.BETA, E.MEDIUM, V.MEDIUM, "plus", 30, S.BRONZE, 21, EV.TEXT,
       True, True, "Try a feature before anyone else and tell the product team what works and what "
       "does not."),
    _a("reference_call", "Reference call", K.REFERENCE_CALL, E.MEDIUM, V.VERY_HIGH, "premium", 60,
       S.SILVER, 21, EV.TEXT, True, True, "A 30-minute call with a prospect in your industry. Tell us "
       "briefly how it went."),
    _a("case_study", "Case study", K.CASE_STUDY, E.MEDIUM, V.VERY_HIGH, "elite", 365, S.SILVER, 45,
       EV.LINK, True, True, "Tell your story in a published case study: an interview with our writer, "
       "then your approval of the draft. Paste the link once it is live."),
    _a("webinar_guest", "Webinar guest", K.WEBINAR, E.HIGH, V.HIGH, "elite", 180, S.GOLD, 30, EV.LINK,
       True, True, "Join one of our webinars as a guest speaker and share how your team works. Paste "
       "the recording link afterwards."),
    _a("conference_speaking", "Conference speaking", K.SPEAKING, E.HIGH, V.VERY_HIGH, "elite", 365,
       S.GOLD, 60, EV.LINK, True, True, "Speak on stage at our annual conference or a partner event. "
       "Travel is on us."),
    _a("advisory_board", "Advisory board", K.ADVISORY_BOARD, E.HIGH, V.HIGH, "elite", 365, S.PLATINUM,
       30, EV.TEXT, True, True, "A seat on the customer advisory board: quarterly sessions with our "
       "leadership that shape the roadmap."),
)


def load_catalog(session: Session, now: datetime) -> dict[str, ActivityType]:
    """Create the default bands and activities; returns the activities by key."""
    bands = {}
    for position, (key, name, points) in enumerate(BANDS, start=1):
        bands[key] = RewardTierBand(key=key, name=name, points=points, position=position)
    session.add_all(bands.values())
    activities = {}
    for seed in ACTIVITIES:
        activities[seed.key] = ActivityType(
            key=seed.key, name=seed.name, description=seed.description, kind=seed.kind,
            effort=seed.effort, value=seed.value, reward_tier=bands[seed.band],
            cooldown_days=seed.cooldown_days, min_status=seed.min_status,
            expires_after_days=seed.expires_after_days, evidence=seed.evidence,
            requires_approval=seed.requires_approval, counts_as_ask=seed.counts_as_ask, active=True,
            created_at=now,
        )
    session.add_all(activities.values())
    session.flush()
    return activities
