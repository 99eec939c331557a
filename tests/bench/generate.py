"""Bulk data at scale for the benchmark: advocates, ledger entries, period buckets and attempts.

Rows go in through SQLAlchemy Core executemany, a chunk of advocates at a time (never the whole
ledger in memory). The generator walks each advocate's entries in time order and derives the
cached balance, lifetime points, last_scored_at and the week/month PeriodTotal buckets from the
very entries it inserts, so the caches equal the ledger sums exactly as `ledger.verify` expects.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import (
    Advocate,
    AdvocateState,
    Attempt,
    AttemptState,
    LedgerEntry,
    LedgerReason,
    Mission,
    PeriodTotal,
    Status,
)
from app.services.periods import PeriodStarts
from seeds.catalog import load_catalog

CHUNK = 1000
POINTS = (50, 150, 400, 1000)
POINT_WEIGHTS = (50, 30, 15, 5)
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Retail", "Manufacturing", "Education",
              "Media", "Logistics", "Insurance", "Public Sector")
ATTEMPT_STATES = ((AttemptState.APPROVED, 70), (AttemptState.DECLINED, 8), (AttemptState.EXPIRED, 10),
                  (AttemptState.STARTED, 5), (AttemptState.REJECTED, 4), (AttemptState.SUBMITTED, 3))
BENCH_MISSION_ACTIVITIES = ("nps_survey", "review_site", "testimonial_quote", "social_post", "referral",
                            "beta_feedback", "reference_call", "case_study")


@dataclass
class Sizes:
    advocates: int
    entries: int
    attempts: int
    missions: int = 24

    @classmethod
    def scaled(cls, scale: float) -> "Sizes":
        return cls(max(200, int(100_000 * scale)), max(4000, int(2_000_000 * scale)),
                   max(1000, int(500_000 * scale)))


@dataclass(frozen=True)
class BenchMission:
    id: int
    activity_id: int
    opens_at: datetime
    closes_at: datetime


@dataclass
class Totals:
    advocates: int = 0
    entries: int = 0
    attempts: int = 0
    buckets: int = 0
    statuses: dict = field(default_factory=dict)


class Generator:
    def __init__(self, session: Session, sizes: Sizes, now: datetime, tz: str, password_hash: str,
                 seed: int = 7):
        self.session, self.sizes, self.now, self.tz = session, sizes, now, tz
        self.password_hash = password_hash
        self.rng = random.Random(seed)
        self.totals = Totals()
        self._periods = PeriodStarts(tz)
        self._entry_id = 0

    def run(self) -> Totals:
        missions = self._missions()
        quotas = self._entry_quotas()
        per_advocate = self._attempt_quotas()
        for first in range(0, self.sizes.advocates, CHUNK):
            ids = range(first + 1, min(first + CHUNK, self.sizes.advocates) + 1)
            self._chunk(ids, quotas, per_advocate, missions)
        return self.totals

    # -- setup -----------------------------------------------------------------------------------
    def _missions(self) -> list["BenchMission"]:
        activities = load_catalog(self.session, self.now - timedelta(days=400))
        self._qualifying = {activities["review_site"].id: Status.SILVER,
                            activities["testimonial_quote"].id: Status.SILVER,
                            activities["case_study"].id: Status.GOLD}
        missions = []
        for n in range(self.sizes.missions):
            activity = activities[BENCH_MISSION_ACTIVITIES[n % len(BENCH_MISSION_ACTIVITIES)]]
            opens = self.now - timedelta(days=360 - n * 10)
            closes = self.now + timedelta(days=30) if n % 4 else opens + timedelta(days=60)
            missions.append(Mission(title=f"Bench mission {n + 1}", activity=activity, audience={},
                                    opens_at=opens, closes_at=closes, created_at=opens))
        self.session.add_all(missions)
        self.session.commit()
        return [BenchMission(m.id, m.activity_id, m.opens_at, m.closes_at) for m in missions]

    def _entry_quotas(self) -> list[int]:
        """Entries per advocate: heavy-tailed (a few very active advocates), summing to exactly N."""
        rng, count = self.rng, self.sizes.advocates
        weights = [min(rng.paretovariate(1.3), 60.0) for _ in range(count)]
        scale = self.sizes.entries / sum(weights)
        quotas = [int(w * scale) for w in weights]
        for index in range(self.sizes.entries - sum(quotas)):
            quotas[index % count] += 1
        return quotas

    def _attempt_quotas(self) -> list[int]:
        base, extra = divmod(self.sizes.attempts, self.sizes.advocates)
        return [min(base + (1 if i < extra else 0), self.sizes.missions) for i in range(self.sizes.advocates)]

    # -- one chunk -------------------------------------------------------------------------------
    def _chunk(self, ids: range, quotas: list[int], per_advocate: list[int], missions) -> None:
        advocates, entries, buckets, attempts = [], [], [], []
        for advocate_id in ids:
            own_entries, summary, own_buckets = self._ledger_for(advocate_id, quotas[advocate_id - 1])
            own_attempts = self._attempts_for(advocate_id, per_advocate[advocate_id - 1], missions)
            qualified = {self._qualifying.get(a["activity_id"]) for a in own_attempts
                         if a["state"] == AttemptState.APPROVED}
            advocates.append(self._advocate_row(advocate_id, summary, qualified))
            entries.extend(own_entries)
            buckets.extend(own_buckets)
            attempts.extend(own_attempts)
        connection = self.session.connection()
        for model, rows in ((Advocate, advocates), (LedgerEntry, entries), (PeriodTotal, buckets),
                            (Attempt, attempts)):
            if rows:
                connection.execute(insert(model.__table__), rows)
        self.session.commit()
        self.totals.advocates += len(advocates)
        self.totals.entries += len(entries)
        self.totals.buckets += len(buckets)
        self.totals.attempts += len(attempts)

    def _ledger_for(self, advocate_id: int, count: int):
        rng, now = self.rng, self.now
        moments = sorted(now - timedelta(seconds=int(31_536_000 * rng.random() ** 1.3) + 1)
                         for _ in range(count))
        balance = lifetime = 0
        last_scored = None
        buckets: dict[tuple, list] = {}
        rows = []
        for at in moments:
            reason, amount = self._pick_amount(balance)
            self._entry_id += 1
            rows.append({"id": self._entry_id, "advocate_id": advocate_id, "amount": amount, "reason": reason,
                         "source_type": None, "source_id": None, "note": "",
                         "idempotency_key": f"bench:{self._entry_id}", "actor_id": None, "created_at": at})
            balance += amount
            if reason.counts_as_earned:
                lifetime, last_scored = lifetime + amount, at
                for key in self._periods(at):
                    bucket = buckets.setdefault((key, advocate_id), [0, at])
                    bucket[0], bucket[1] = bucket[0] + amount, at
        bucket_rows = [{"period": period, "period_start": start, "advocate_id": adv, "points": points,
                        "last_scored_at": last} for ((period, start), adv), (points, last) in buckets.items()]
        last_entry = rows[-1]["id"] if rows else 0
        return rows, (balance, lifetime, last_scored, last_entry), bucket_rows

    def _pick_amount(self, balance: int) -> tuple[LedgerReason, int]:
        draw = self.rng.random()
        if draw < 0.03 and balance >= 200:
            return LedgerReason.REDEMPTION, -self.rng.randrange(100, balance // 2 + 1, 50)
        reason = LedgerReason.BONUS if draw < 0.05 else LedgerReason.MISSION
        return reason, self.rng.choices(POINTS, POINT_WEIGHTS)[0]

    def _advocate_row(self, advocate_id: int, summary, qualified: set) -> dict:
        balance, lifetime, last_scored, last_entry = summary
        rng = self.rng
        draw = rng.random()
        state = (AdvocateState.ACTIVE if draw < 0.96 else AdvocateState.PAUSED if draw < 0.98
                 else AdvocateState.OPTED_OUT)
        status = self._status_for(lifetime, qualified)
        self.totals.statuses[status] = self.totals.statuses.get(status, 0) + 1
        return {
            "id": advocate_id, "email": f"advocate{advocate_id}@bench.test", "external_id": None,
            "name": f"Bench Advocate {advocate_id}", "password_hash": self.password_hash,
            "company": f"Company {advocate_id % 9973}", "title": "Operations Lead",
            "industry": rng.choice(INDUSTRIES), "company_size": "201-1000", "region": rng.choice(REGIONS),
            "tags": [], "customer_since": None, "nps": rng.randint(6, 10),
            "health_score": rng.randint(50, 99),
            "readiness_tier": None, "owner_id": None, "state": state, "leaderboard_opt_out": draw > 0.995,
            "status": status, "status_since": self.now - timedelta(days=200), "balance": balance,
            "lifetime_points": lifetime, "last_scored_at": last_scored,
            "created_at": self.now - timedelta(days=400), "last_login_at": None,
            # A running program's portal has shown each advocate their past points already.
            "celebrated_ledger_id": last_entry,
        }

    def _status_for(self, lifetime: int, qualified: set) -> Status:
        """The status the rules give: Silver needs 1,000 points and an approved review or testimonial,
        Gold 3,000 and a case study, Platinum 7,500 and six months at Gold (everyone's status dates from
        200 days ago). So the data holds no promotion that is already due, as in a running program,
        where every award and the promote_due_status job promote at once."""
        status = Status.BRONZE
        for target, needed in ((Status.SILVER, 1000), (Status.GOLD, 3000)):
            if lifetime < needed or target not in qualified:
                return status
            status = target
        return Status.PLATINUM if lifetime >= 7500 else status

    def _attempts_for(self, advocate_id: int, count: int, missions: list["BenchMission"]) -> list[dict]:
        rng, rows = self.rng, []
        states, weights = zip(*ATTEMPT_STATES)
        for mission in rng.sample(missions, count):
            state = rng.choices(states, weights)[0]
            started = mission.opens_at + (min(mission.closes_at, self.now) - mission.opens_at) * rng.random()
            submitted = started + timedelta(days=2) if state not in (
                AttemptState.STARTED, AttemptState.DECLINED, AttemptState.EXPIRED) else None
            decided = submitted + timedelta(days=1) if state in (
                AttemptState.APPROVED, AttemptState.REJECTED) else None
            rows.append({
                "mission_id": mission.id, "advocate_id": advocate_id, "activity_id": mission.activity_id,
                "state": state, "started_at": started, "deadline_at": started + timedelta(days=14),
                "submitted_at": submitted, "decided_at": decided,
                "points_awarded": 150 if state == AttemptState.APPROVED else None, "created_at": started,
            })
        return rows
