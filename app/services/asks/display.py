"""What staff and advocates see of asks: each push with its counts per state and a page of its
asks, a label and one plain sentence per ask's outcome (from what the ask row records), the
queue page and an advocate's recent asks. Read-only.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.models import Advocate, AdvocateState, Ask, AskPush, AskReason, AskState, Mission
from app.services.asks.rules import chunks, local_day
from app.services.errors import NotFound
from app.services.missions import eligibility
from app.services.program import settings as settings_service
from app.services.program.settings import ProgramSettings

R = AskReason

REASON_LABELS: dict[AskReason, str] = {
    R.FREQUENCY_CAP: "Frequency cap",
    R.YEARLY_CAP: "Yearly cap",
    R.COOLDOWN: "Activity cooldown",
    R.PAUSED: "Paused",
    R.OPTED_OUT: "Opted out",
    R.LOW_NPS: "NPS below minimum",
    R.NOT_ELIGIBLE: "Not eligible",
    R.ALREADY_ASKED: "Already asked",
    R.COMPETING_ASK: "Another ask went first",
    R.MISSION_CLOSED: "Mission closed",
}


@dataclass
class PushRow:
    ask: Ask
    advocate_name: str
    company: str
    label: str
    detail: str


@dataclass
class PushSummary:
    push: AskPush
    counts: dict[AskState, int]
    rows: list[PushRow]


def _state_counts(session: Session, push_ids: list[int]) -> dict[int, dict[AskState, int]]:
    counts: dict[int, dict[AskState, int]] = {push_id: {} for push_id in push_ids}
    for chunk in chunks(push_ids):
        for push_id, state, n in session.execute(
                select(Ask.push_id, Ask.state, func.count()).where(Ask.push_id.in_(chunk))
                .group_by(Ask.push_id, Ask.state)):
            counts[push_id][state] = n
    return counts


def push_summary(session: Session, *, push_id: int, state: AskState | None = None, page: int = 1,
                 per_page: int = 50) -> PushSummary:
    """A push with its counts per state and one page of its asks (filtered by state if given)."""
    push = session.scalar(select(AskPush).options(joinedload(AskPush.mission).joinedload(Mission.activity),
                                                  joinedload(AskPush.created_by))
                          .where(AskPush.id == push_id))
    if push is None:
        raise NotFound("No such push.")
    stmt = (select(Ask).options(joinedload(Ask.advocate)).where(Ask.push_id == push_id)
            .order_by(Ask.id).limit(per_page).offset((max(1, page) - 1) * per_page))
    if state is not None:
        stmt = stmt.where(Ask.state == state)
    asks = session.scalars(stmt).all()
    cfg = settings_service.load(session)
    rows = [PushRow(ask, ask.advocate.name, ask.advocate.company, ask_label(ask),
                    ask_detail(ask, push.mission, cfg)) for ask in asks]
    return PushSummary(push, _state_counts(session, [push.id])[push.id], rows)


def ask_label(ask: Ask) -> str:
    """A short label for an ask's outcome: "Sent", "Dropped by staff" or its reason's label."""
    if ask.state == AskState.SENT:
        return "Sent"
    if ask.reason is None:
        return "Dropped by staff" if ask.state == AskState.DROPPED else ask.state.value.capitalize()
    return REASON_LABELS[ask.reason]


def ask_detail(ask: Ask, mission: Mission, cfg: ProgramSettings) -> str:
    """One plain sentence about an ask's outcome, from what the ask row records."""
    if ask.state == AskState.SENT:
        return f"Went out on {local_day(ask.sent_at, cfg)}."
    if ask.state == AskState.QUEUED:
        why = {R.FREQUENCY_CAP: "they were asked too recently",
               R.YEARLY_CAP: "they reached the yearly cap",
               R.COOLDOWN: f"the {mission.activity.name} cooldown is running",
               R.COMPETING_ASK: "a higher-priority ask went out first"}.get(ask.reason,
                                                                             "they are not askable yet")
        return f"Waits until {local_day(ask.queued_until, cfg)} because {why}."
    if ask.state == AskState.DROPPED and ask.reason is None:
        if ask.closed_at is None:
            return "Dropped by staff."
        return f"Dropped by staff on {local_day(ask.closed_at, cfg)}."
    advocate = ask.advocate
    return {
        R.FREQUENCY_CAP: "Asked too recently to be asked again before the mission closes.",
        R.YEARLY_CAP: "Yearly cap reached until after the mission closes.",
        R.COOLDOWN: f"The {mission.activity.name} cooldown runs past the mission's close.",
        R.PAUSED: "The advocate has paused their participation.",
        R.OPTED_OUT: "The advocate opted out of the program.",
        R.LOW_NPS: f"Latest NPS is {advocate.nps}; asks need {cfg.ask_min_nps} or more.",
        R.NOT_ELIGIBLE: _not_eligible_detail(advocate, mission),
        R.ALREADY_ASKED: "Already asked for this mission, or already took it up.",
        R.COMPETING_ASK: "Another ask went out first; this one could not follow before the mission closed.",
        R.MISSION_CLOSED: "The mission closed before the ask could go out.",
    }.get(ask.reason, "")


def _not_eligible_detail(advocate: Advocate, mission: Mission) -> str:
    if advocate.state == AdvocateState.INVITED:
        return "The advocate was invited but has not joined yet."
    needed = eligibility.required_status(mission)
    if advocate.status.rank < needed.rank:
        return f"The mission needs {needed.label} status; the advocate is {advocate.status.label}."
    return "The advocate is outside the mission's audience."


def pushes_for_mission(session: Session, *, mission_id: int) -> list[tuple[AskPush, dict[AskState, int]]]:
    """Every push of the mission, newest first, each with its counts per state."""
    pushes = session.scalars(select(AskPush).options(joinedload(AskPush.created_by))
                             .where(AskPush.mission_id == mission_id)
                             .order_by(AskPush.created_at.desc(), AskPush.id.desc())).all()
    counts = _state_counts(session, [p.id for p in pushes])
    return [(push, counts[push.id]) for push in pushes]


def queue_page(session: Session, *, page: int = 1, per_page: int = 50,
               owner_id: int | None = None) -> tuple[list[Ask], bool]:
    """Queued asks, soonest release first, then highest priority; only one CSM's advocates when
    `owner_id` is given. Returns (asks, has_next)."""
    stmt = (select(Ask).options(joinedload(Ask.advocate), joinedload(Ask.mission))
            .where(Ask.state == AskState.QUEUED)
            .order_by(Ask.queued_until, Ask.priority.desc(), Ask.id)
            .limit(per_page + 1).offset((max(1, page) - 1) * per_page))
    if owner_id is not None:
        stmt = stmt.join(Advocate, Advocate.id == Ask.advocate_id).where(Advocate.owner_id == owner_id)
    asks = session.scalars(stmt).all()
    return list(asks[:per_page]), len(asks) > per_page


def advocate_asks(session: Session, *, advocate_id: int, limit: int = 20) -> list[Ask]:
    """The advocate's asks, newest first, with mission and activity loaded."""
    return list(session.scalars(select(Ask).options(joinedload(Ask.mission), joinedload(Ask.activity))
                                .where(Ask.advocate_id == advocate_id)
                                .order_by(Ask.created_at.desc(), Ask.id.desc()).limit(limit)))
