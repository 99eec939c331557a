"""The demo missions: a dozen curated offers across the catalog, some open, one upcoming, some closed."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.models import ActivityType, Mission, StaffUser


@dataclass(frozen=True)
class MissionSeed:
    key: str
    title: str
    activity: str
    opens: int  # days relative to now (negative = in the past)
    closes: int
    instructions: str
    limit: int | None = None
    audience: dict = field(default_factory=dict)


MISSIONS = (
    MissionSeed("nps_spring", "Spring pulse: how are we doing?", "nps_survey", -185, -100,
                "One question, two minutes. Your answer goes straight to our product and support leads."),
    MissionSeed("nps_summer", "Summer pulse: how are we doing?", "nps_survey", -60, 30,
                "One question, two minutes. Tell us what changed since spring."),
    MissionSeed("g2_review", "Review us on G2", "review_site", -180, 120,
                "Write an honest review on G2 (good and bad both help buyers) and paste the link here."),
    MissionSeed("capterra_finserv", "Financial services: review us on Capterra", "review_site", -90, 60,
                "Buyers in banking and insurance read Capterra first. Share what compliance and "
                "reporting look like with us.",
                audience={"industries": ["Financial Services", "Insurance"]}),
    MissionSeed("website_quote", "Give us a quote for the new website", "testimonial_quote", -150, 45,
                "One or two sentences on the difference we made. We will send you the page before it "
                "goes live."),
    MissionSeed("linkedin_feature", "Share your favourite feature on LinkedIn", "social_post", -175, 90,
                "Show your network a workflow you are proud of. Tag us so we can cheer you on."),
    MissionSeed("team_win", "Post your team's win of the month", "social_post", -45, 45,
                "Hit a milestone? Post about it and tell people how you did it."),
    MissionSeed("refer_peer", "Refer a peer", "referral", -200, 165,
                "Know someone who would get value from us? Introduce them; we will take good care of them."),
    MissionSeed("beta_workspace", "Beta: the new analytics workspace", "beta_feedback", -170, -110,
                "Try the new workspace for two weeks and tell the product team what to fix first."),
    MissionSeed("beta_assistant", "Early access: AI assistant beta", "beta_feedback", -40, 30,
                "Twenty places only. Use the assistant on real work for a week and send us your notes.",
                limit=20),
    MissionSeed("prospect_call", "Talk to a prospect in your industry", "reference_call", -180, 120,
                "A 30-minute call with a company like yours that is evaluating us. We brief you first."),
    MissionSeed("case_study", "Star in a customer case study", "case_study", -160, 90,
                "A one-hour interview with our writer, then you approve every word before it is published."),
    MissionSeed("webinar_guest", "Guest on our quarterly webinar", "webinar_guest", -100, 60,
                "Join our host for 20 minutes on how your team works. Prep call included."),
    MissionSeed("summit_speaker", "Speak at Rallypoint Summit", "conference_speaking", 9, 70,
                "Take the stage at our annual summit. We cover travel and help you build the talk."),
    MissionSeed("advisory_board", "Join the Customer Advisory Board", "advisory_board", -30, 60,
                "Four sessions a year with our leadership team to shape the roadmap."),
)


def make_missions(session: Session, activities: dict[str, ActivityType], author: StaffUser,
                  now: datetime) -> dict[str, Mission]:
    missions = {}
    for seed in MISSIONS:
        opens = (now + timedelta(days=seed.opens)).replace(hour=8, minute=0, second=0, microsecond=0)
        closes = (now + timedelta(days=seed.closes)).replace(hour=17, minute=0, second=0, microsecond=0)
        missions[seed.key] = Mission(
            title=seed.title, instructions=seed.instructions, activity=activities[seed.activity],
            audience=dict(seed.audience), opens_at=opens, closes_at=closes,
            completion_limit=seed.limit, created_by_id=author.id,
            created_at=min(opens, now) - timedelta(days=3),
        )
    session.add_all(missions.values())
    session.flush()
    return missions
