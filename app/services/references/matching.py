"""Matching a reference request with advocates (SPEC §10).

Candidates: advocates with a reference profile opted in, active, at least the minimum status
(setting `reference_min_status`), a latest NPS the governor accepts (or none), fewer than
`reference_quarter_cap` references in the current quarter, not yet asked for this request, and
askable by the governor now for the reference-call activity.

Fit, out of 110 points (WEIGHTS): industry 40, size band 20, region 15 (each an exact match, case
ignored; the request's value trimmed), use cases 25 shared by the requested use cases the advocate
lists (25 × matched ÷
requested, rounded down), and rest 0–10: one point per REST_STEP_DAYS days since the advocate's
last reference, 10 for someone who never gave one. Ties: more rest first, then the lower id.

The cheap rules and the fit are one SQL query over the opted-in profiles (their index); the SQL
fit is built from the same weights as the Python one (`fit`), which scores only the leading rows
and writes the reasons. The governor (services.asks) then judges those rows; a page of rows with
too few askable ones fetches the next page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, or_, select, true
from sqlalchemy.orm import Session

from app.db.planner import unindexed
from app.models import (
    ActivityKind,
    ActivityType,
    Advocate,
    AdvocateState,
    ReferenceAsk,
    ReferenceProfile,
    ReferenceRequest,
    Status,
)
from app.services import asks
from app.services.periods import to_local
from app.services.program import settings as settings_service
from app.services.program.settings import ProgramSettings

WEIGHTS = {"industry": 40, "size_band": 20, "region": 15, "use_cases": 25}
REST_MAX = 10
REST_STEP_DAYS = 18
PAGE = 60
MAX_PAGES = 5


@dataclass(frozen=True)
class Match:
    advocate_id: int
    name: str
    company: str
    status: Status
    fit_score: int
    reasons: tuple[str, ...]


def quarter_key(now: datetime, cfg: ProgramSettings) -> str:
    local = to_local(now, cfg.timezone)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def reference_activity(session: Session) -> ActivityType | None:
    """The active reference-call activity of the catalog (its points, cooldown and governor rules)."""
    return session.scalars(select(ActivityType).where(
        ActivityType.kind == ActivityKind.REFERENCE_CALL, ActivityType.active.is_(True))
        .order_by(ActivityType.id).limit(1)).first()


def rest_points(last_reference_at: datetime | None, now: datetime) -> int:
    if last_reference_at is None:
        return REST_MAX
    return min(REST_MAX, max(0, (now - last_reference_at).days // REST_STEP_DAYS))


def _same(a: str | None, b: str) -> bool:
    return bool(b.strip()) and (a or "").lower() == b.strip().lower()


def fit(request: ReferenceRequest, row, now: datetime) -> tuple[int, tuple[str, ...]]:
    """The fit score of one candidate row (advocate columns and profile) and the reasons, in words."""
    score, reasons = 0, []
    for key, column, label in (("industry", row.industry, "Same industry"),
                               ("size_band", row.company_size, "Same company size"),
                               ("region", row.region, "Same region")):
        wanted = getattr(request, key)
        if _same(column, wanted):
            score += WEIGHTS[key]
            reasons.append(f"{label} ({column}): +{WEIGHTS[key]}")
    requested = list(request.use_cases or [])
    if requested:
        theirs = {tag for tag in (row.use_cases or "").split(",") if tag}
        shared = [tag for tag in requested if tag in theirs]
        if shared:
            points = WEIGHTS["use_cases"] * len(shared) // len(requested)
            score += points
            reasons.append(f"Speaks to {', '.join(shared)} ({len(shared)} of {len(requested)} use cases): "
                           f"+{points}")
    rest = rest_points(row.last_reference_at, now)
    score += rest
    if row.last_reference_at is None:
        reasons.append(f"Has not given a reference yet: +{rest}")
    else:
        days = (now - row.last_reference_at).days
        reasons.append(f"Last reference {days} days ago: +{rest}")
    return score, tuple(reasons)


def _same_sql(column, wanted: str, dialect: str):
    """`_same` in SQL: SQLite's NOCASE collation is cheaper than lower() on every row (it folds ASCII
    letters only; lower() folds the rest too, so a non-ASCII value may differ in case only there)."""
    if dialect == "sqlite":
        return column.collate("NOCASE") == wanted
    return func.lower(column) == wanted.lower()


def _sql_fit(request: ReferenceRequest, now: datetime, dialect: str):
    """The SQL twin of `fit`'s score, built from the same weights and rest steps."""
    terms = []
    for key, column in (("industry", Advocate.industry), ("size_band", Advocate.company_size),
                        ("region", Advocate.region)):
        wanted = (getattr(request, key) or "").strip()
        if wanted:
            terms.append(case((_same_sql(column, wanted, dialect), WEIGHTS[key]), else_=0))
    requested = list(request.use_cases or [])
    if requested:
        find = func.instr if dialect == "sqlite" else func.strpos  # cheaper than LIKE '%…%' on every row
        shared = sum((case((find(ReferenceProfile.use_cases, f",{tag},") > 0, 1), else_=0)
                      for tag in requested), literal(0))
        # Integer division in both engines: matched × weight / requested, rounded down (all non-negative).
        terms.append((shared * WEIGHTS["use_cases"]) // len(requested))
    last = ReferenceProfile.last_reference_at
    steps = [(or_(last.is_(None), last <= now - timedelta(days=REST_STEP_DAYS * REST_MAX)), REST_MAX)]
    steps += [(last <= now - timedelta(days=REST_STEP_DAYS * k), k) for k in range(REST_MAX - 1, 0, -1)]
    terms.append(case(*steps, else_=0))
    return sum(terms[1:], terms[0])


def _candidates(request: ReferenceRequest, cfg: ProgramSettings, now: datetime, dialect: str):
    minimum = Status(cfg.reference_min_status)
    allowed = [status for status in Status if status.rank >= minimum.rank]
    quarter = quarter_key(now, cfg)
    score = _sql_fit(request, now, dialect).label("score")
    already = select(ReferenceAsk.advocate_id).where(ReferenceAsk.request_id == request.id) \
        if request.id is not None else None
    stmt = (select(Advocate.id, Advocate.status, Advocate.industry, Advocate.company_size, Advocate.region,
                   ReferenceProfile.use_cases, ReferenceProfile.last_reference_at, score)
            .select_from(ReferenceProfile).join(Advocate, Advocate.id == ReferenceProfile.advocate_id)
            # The opted-in profiles' index is the way in; each advocate is read by its id.
            .where(ReferenceProfile.opted_in == true(), unindexed(Advocate.state) == AdvocateState.ACTIVE,
                   unindexed(Advocate.status).in_(allowed),
                   or_(Advocate.nps.is_(None), Advocate.nps >= cfg.ask_min_nps),
                   or_(ReferenceProfile.quarter_key != quarter,
                       ReferenceProfile.quarter_count < cfg.reference_quarter_cap)))
    if already is not None:
        stmt = stmt.where(Advocate.id.not_in(already))
    rest_order = case((ReferenceProfile.last_reference_at.is_(None), 0), else_=1)
    return stmt.order_by(score.desc(), rest_order, ReferenceProfile.last_reference_at.asc(), Advocate.id)


def _names(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {row.id: (row.name, row.company)
            for row in session.execute(select(Advocate.id, Advocate.name, Advocate.company)
                                       .where(Advocate.id.in_(ids)))}


def find_matches(session: Session, *, request: ReferenceRequest, now: datetime, limit: int = 10,
                 exclude: frozenset[int] = frozenset()) -> list[Match]:
    """The best `limit` candidates for the request, best first, each with its fit and reasons."""
    cfg = settings_service.load(session)
    activity = reference_activity(session)
    stmt = _candidates(request, cfg, now, session.get_bind().dialect.name)
    found: list[Match] = []
    for page in range(MAX_PAGES):
        rows = [row for row in session.execute(stmt.limit(PAGE).offset(page * PAGE))]
        fresh = [row for row in rows if row.id not in exclude]
        decisions = asks.decide_many(session, advocate_ids=[row.id for row in fresh], activity=activity,
                                     now=now, cfg=cfg) if fresh else {}
        askable = [row for row in fresh if decisions[row.id].askable]
        names = _names(session, [row.id for row in askable])
        for row in askable:
            score, reasons = fit(request, row, now)
            found.append(Match(row.id, *names[row.id], row.status, score, reasons))
        if len(found) >= limit or len(rows) < PAGE:
            break
    found.sort(key=lambda m: -m.fit_score)  # stable: SQL order (rest, id) within equal scores
    return found[:limit]
