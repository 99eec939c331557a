"""Planning the demo history: timed steps (start, submit, decide, ledger awards...) per advocate.

The planner only decides *what happens when*; seeds.history replays the steps in time order
through the services, so every rule (audience, minimum status, cooldown, limits) still applies.
It keeps each advocate's plan plausible: one attempt per mission, inside the mission's window,
and not inside the activity's cooldown after an earlier approval.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.models import ActivityType, Advocate, LedgerReason, Mission, Status
from app.services.missions import eligibility

DAY = timedelta(days=1)


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    advocate_id: int = field(compare=False)
    data: dict = field(compare=False, default_factory=dict)


@dataclass
class AttemptTimes:
    start: datetime
    submit: datetime | None = None
    decide: datetime | None = None
    resubmit: datetime | None = None
    redecide: datetime | None = None


class Planner:
    def __init__(self, rng: random.Random, now: datetime, missions: dict[str, Mission],
                 advocates: dict[int, Advocate]):
        self.rng, self.now, self.missions, self.advocates = rng, now, missions, advocates
        self.steps: list[Step] = []
        self._used: set[tuple[int, str]] = set()
        self._approvals: dict[tuple[int, int], list[tuple[datetime, datetime]]] = {}
        self._taken: Counter = Counter()
        self._seq = 0

    # -- low-level -------------------------------------------------------------------------------
    def add(self, at: datetime, kind: str, advocate_id: int, **data) -> None:
        if at >= self.now:
            return
        self._seq += 1
        self.steps.append(Step(at, self._seq, kind, advocate_id, data))

    def days_ago(self, low: float, high: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low, high))

    def between(self, low: datetime, high: datetime) -> datetime:
        return low + (high - low) * self.rng.uniform(0.05, 0.95)

    # -- attempts --------------------------------------------------------------------------------
    def can_attempt(self, advocate_id: int, key: str, start: datetime) -> bool:
        mission = self.missions[key]
        if (advocate_id, key) in self._used or not mission.opens_at <= start < mission.closes_at:
            return False
        if not eligibility.in_audience(self.advocates[advocate_id], mission):
            return False
        if mission.completion_limit is not None and self._taken[key] >= mission.completion_limit - 3:
            return False  # leave a few places so every planned submission can still be approved
        cooldown = timedelta(days=mission.activity.cooldown_days)
        for begun, approved in self._approvals.get((advocate_id, mission.activity_id), []):
            if approved <= start < approved + cooldown or start <= begun < start + cooldown:
                return False
        return start < self.now

    def attempt(self, advocate_id: int, key: str, start: datetime, outcome: str = "approve",
                times: AttemptTimes | None = None) -> bool:
        """Plan one attempt; outcome is approve, reject, reject_approve, expire, decline, pending or
        in_progress. Steps that would fall after `now` are dropped, which leaves the attempt open."""
        if not self.can_attempt(advocate_id, key, start):
            return False
        mission = self.missions[key]
        self._used.add((advocate_id, key))
        self._taken[key] += 1
        plan = f"{advocate_id}:{key}"
        if outcome == "decline":
            self.add(start, "decline", advocate_id, mission=key, plan=plan)
            return True
        times = times or self._times(mission.activity, start, mission.closes_at, outcome)
        self.add(times.start, "start", advocate_id, mission=key, plan=plan)
        if outcome == "expire":
            deadline = min(start + DAY * mission.activity.expires_after_days, mission.closes_at)
            self.add(deadline + timedelta(minutes=5), "expire", advocate_id, plan=plan)
            return True
        self._add_decisions(advocate_id, mission, plan, times, outcome)
        return True

    def _add_decisions(self, advocate_id, mission, plan, times: AttemptTimes, outcome) -> None:
        if outcome == "in_progress" or times.submit is None:
            return
        self.add(times.submit, "submit", advocate_id, plan=plan)
        if outcome == "pending" or not mission.activity.requires_approval:
            if not mission.activity.requires_approval:
                self._remember(advocate_id, mission, times.start, times.submit)
            return
        if outcome == "approve":
            self.add(times.decide, "approve", advocate_id, plan=plan)
            self._remember(advocate_id, mission, times.start, times.decide)
            return
        self.add(times.decide, "reject", advocate_id, plan=plan)
        if outcome == "reject_approve" and times.resubmit and times.resubmit < mission.closes_at:
            self.add(times.resubmit, "submit", advocate_id, plan=plan)
            self.add(times.redecide, "approve", advocate_id, plan=plan)
            self._remember(advocate_id, mission, times.start, times.redecide)

    def _times(self, activity: ActivityType, start: datetime, closes: datetime, outcome) -> AttemptTimes:
        rng = self.rng
        deadline = min(start + DAY * activity.expires_after_days, closes)
        work = min(deadline - start, DAY * 6) * rng.uniform(0.05, 0.7)
        submit = start + work
        decide = submit + timedelta(hours=rng.uniform(2, 60))
        resubmit = decide + timedelta(hours=rng.uniform(6, 72))
        return AttemptTimes(start, submit, decide, resubmit, resubmit + timedelta(hours=rng.uniform(2, 48)))

    def _remember(self, advocate_id, mission, start, approved) -> None:
        if approved is not None and approved < self.now:
            self._approvals.setdefault((advocate_id, mission.activity_id), []).append((start, approved))

    def recent(self, advocate_id: int, keys: tuple[str, ...], low: datetime) -> bool:
        """An attempt started, submitted and approved between `low` and now (for this week's boards)."""
        span = self.now - low
        start = low + span * self.rng.uniform(0.02, 0.4)
        submit = start + (self.now - start) * self.rng.uniform(0.05, 0.4)
        decide = submit + (self.now - submit) * self.rng.uniform(0.1, 0.8)
        times = AttemptTimes(start, submit, decide)
        for key in self.rng.sample(keys, len(keys)):
            if self.attempt(advocate_id, key, start, "approve", times):
                return True
        return False

    # -- other steps -----------------------------------------------------------------------------
    def award(self, advocate_id: int, at: datetime, reason: LedgerReason, amount: int, note: str) -> None:
        self.add(at, "ledger", advocate_id, reason=reason, amount=amount, note=note)

    def set_status(self, advocate_id: int, at: datetime, status: Status, reason: str) -> None:
        self.add(at, "set_status", advocate_id, status=status, reason=reason)

    def visit(self, advocate_id: int, at: datetime) -> None:
        self.add(at, "visit", advocate_id)
