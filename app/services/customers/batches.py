"""Writing checked customer rows a batch at a time (SPEC §7): few statements, each row whole or not at all.

For a batch of rows (in file order) `write_batch` runs one SELECT for every stored record that any
row names by external id or email (with its signals) and one for staff emails among them, then
decides each row in order against that picture, as the rows before it left it: create, update,
unchanged, or rejected with its reason. Every written record gets its readiness score and
eligibility over its merged values (stored ones where the row left a cell blank) from
readiness.rate, the weekly job's own function. New records are inserted with one executemany that
returns their ids, changed ones updated with one executemany, and their customer_signal rows
inserted or updated the same way: SQLAlchemy Core statements run through the session. The caller
runs it inside a SAVEPOINT and, if the database refuses the batch, again one row at a time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, AskFrequency, CustomerSignal, StaffUser, Status
from app.models.signals import NO_SIGNAL_ROW, ON_ADVOCATE, ON_SIGNAL_ROW
from app.services.customers import readiness
from app.services.customers.keys import Keys
from app.services.customers.rows import CustomerRow, Problem
from app.services.people import lifecycle
from app.services.webhooks import events as webhook_events

PROFILE = ("name", "company", "title", "industry", "company_size", "region", "tags", *ON_ADVOCATE)
SIGNALS = ON_SIGNAL_ROW
NEW_PROFILE = {"company": "", "title": "", "industry": "", "company_size": "", "region": "", "tags": [],
               **{name: None for name in ON_ADVOCATE}}
NEW_SIGNALS = NO_SIGNAL_ROW

_A = Advocate.__table__
_S = CustomerSignal.__table__
_T = StaffUser.__table__
_FOUND = (select(_A.c.id, _A.c.email, _A.c.external_id, *(_A.c[name] for name in PROFILE),
                 _A.c.state, _A.c.owner_id, _A.c.erased_at.is_not(None).label("erased"),
                 _A.c.password_hash.is_not(None).label("has_password"),
                 _S.c.advocate_id.label("signal_id"), *(_S.c[name] for name in SIGNALS))
          .select_from(_A.outerjoin(_S, _S.c.advocate_id == _A.c.id)))
_WRITTEN = ("email", "external_id", *PROFILE, "readiness_score", "eligible")  # a new record: and fixed_values
_INSERT = sa.insert(_A)
_LAST_ID = select(sa.func.max(_A.c.id))
_NEWER = select(_A.c.email, _A.c.id).where(_A.c.id > bindparam("after"))
_UPDATE = (sa.update(_A).where(_A.c.id == bindparam("b_id"))
           .values({name: bindparam(f"b_{name}") for name in _WRITTEN}))
_SIGNAL_INSERT = sa.insert(_S)
_SIGNAL_UPDATE = (sa.update(_S).where(_S.c.advocate_id == bindparam("b_id"))
                  .values({name: bindparam(f"b_{name}") for name in (*SIGNALS, "updated_at")}))


class Rejected(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.problem = Problem(message, field)


@dataclass
class Context:
    now: datetime
    rules: readiness.Rules
    keys: Keys
    clock: Callable[[], float]  # perf_counter, to time scoring apart
    scoring_seconds: float = 0.0

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(slots=True)
class Outcome:
    line: int
    row: CustomerRow
    outcome: str = "rejected"  # created, updated, unchanged, rejected
    problem: Problem | None = None
    advocate_id: int | None = None
    values: dict | None = None  # what is written: advocate columns and signal columns
    account: tuple | None = None  # (state, owner staff id) to set through the lifecycle rules, when changed
    changed: list | None = None  # an update: the names of the values it changes (the webhook event says)


def write_batch(session: Session, rows: list[tuple[int, CustomerRow]], ctx: Context) -> list[Outcome]:
    """Decide and write one batch; the outcome of each row, in order. The caller owns the savepoint."""
    exts = [row.external_id for _, row in rows if row.external_id]
    emails = [row.email for _, row in rows if row.email]
    found = [dict(r) for r in session.execute(
        _FOUND.where(sa.or_(_A.c.external_id.in_(exts), _A.c.email.in_(emails)))).mappings()]
    by_ext = {r["external_id"]: r for r in found if r["external_id"] is not None}
    by_email = {r["email"]: r for r in found}
    staff = set(session.scalars(select(_T.c.email).where(_T.c.email.in_(emails)))) if emails else set()
    owner_emails = [row.owner_email for _, row in rows if row.owner_email]
    owners = {email: staff_id for email, staff_id in session.execute(select(_T.c.email, _T.c.id).where(
        _T.c.email.in_(owner_emails), _T.c.active == sa.true()))} if owner_emails else {}
    outcomes = []
    for line, row in rows:
        outcome = Outcome(line, row)
        try:
            _decide(outcome, by_ext, by_email, staff, ctx, owners)
        except Rejected as rejected:
            outcome.problem = rejected.problem
        outcomes.append(outcome)
    _write(session, outcomes, ctx)
    if owner_emails or any(row.state is not None for _, row in rows):
        lifecycle.apply_imported(session, [(o.advocate_id, o.line, *o.account) for o in outcomes
                                           if o.account is not None and o.outcome != "rejected"], now=ctx.now)
    _emit(session, outcomes, ctx.now)
    return outcomes


def _emit(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    """advocate.created / advocate.updated for the batch: one endpoint read and one insert per type."""
    for kind in ("created", "updated"):
        written = [o for o in outcomes if o.outcome == kind]
        if written:
            webhook_events.emit_many(session, f"advocate.{kind}", (webhook_events.advocate_data(
                _event_values(o), source="import", changed=o.changed if kind == "updated" else None)
                for o in written), now)


def _event_values(outcome: Outcome) -> dict:
    row = outcome.row
    values = outcome.values or {"email": row.email, "external_id": row.external_id,
                                "name": row.profile.get("name"), "company": row.profile.get("company")}
    state = values.get("state", AdvocateState.INVITED)
    if outcome.account and outcome.account[0]:
        state = outcome.account[0]
    return {**values, "id": outcome.advocate_id, "state": state}


def _decide(outcome: Outcome, by_ext: dict, by_email: dict, staff: set, ctx: Context, owners: dict) -> None:
    row = outcome.row
    stored = _match(row, by_ext, by_email)
    given = row.state is not None or row.owner_email is not None  # the account columns (rarely given)
    if stored is None:
        _check_new(row, staff)
        outcome.account = _account(row, None, owners) if given else None
        outcome.outcome, outcome.values = "created", new_values(row)
        return
    account = _account(row, stored, owners) if given else None
    _update(outcome, stored, by_ext, by_email, staff, ctx)
    if account is not None:
        outcome.account = account
        moved = [name for name, value in zip(("state", "owner"), account, strict=True) if value]
        outcome.changed = [*(outcome.changed or ()), *moved]
        if outcome.outcome == "unchanged":  # only the account changes: nothing else is written
            outcome.outcome = "updated"


def _update(outcome: Outcome, stored: dict, by_ext: dict, by_email: dict, staff: set, ctx: Context) -> None:
    row = outcome.row
    _refuse(ctx.keys.claimed(stored, outcome.line))
    outcome.advocate_id = stored["id"]
    if stored["signal_id"] is None:
        stored = {**stored, **NEW_SIGNALS}
    if row.email and row.email != stored["email"]:
        if row.email in staff:
            raise Rejected(f"email {row.email} belongs to a staff account", "email")
        if row.email in by_email:
            raise Rejected(f"email {row.email} belongs to another customer record", "email")
    merged = {**stored, **row.profile, **row.signals}
    if row.email:
        merged["email"] = row.email
    if row.external_id:
        merged["external_id"] = row.external_id
    ctx.keys.claim(stored, outcome.line)
    names = (*row.profile, *row.signals, "email", "external_id")
    changed = [name for name in names if merged[name] != stored[name]]
    if not changed:
        outcome.outcome = "unchanged"
        return
    outcome.outcome, outcome.values, outcome.changed = "updated", merged, changed
    if merged["email"] != stored["email"]:
        by_email.pop(stored["email"], None)
        by_email[merged["email"]] = merged
    if merged["external_id"] != stored["external_id"]:
        by_ext[merged["external_id"]] = merged


def _refuse(problem: Problem | None) -> None:
    if problem is not None:
        raise Rejected(problem.message, problem.field)


def _match(row: CustomerRow, by_ext: dict, by_email: dict) -> dict | None:
    """The stored record a row updates: by external id, else by email; Rejected if they disagree."""
    by_id = by_ext.get(row.external_id) if row.external_id else None
    by_mail = by_email.get(row.email) if row.email else None
    if by_id is not None:
        if by_mail is not None and by_mail is not by_id:
            raise Rejected(f"email {row.email} belongs to another customer record", "email")
        return by_id
    if by_mail is not None and row.external_id and by_mail["external_id"]:
        raise Rejected(f"email {row.email} belongs to the record with external_id {by_mail['external_id']}",
                       "email")
    return by_mail


def _check_new(row: CustomerRow, staff: set) -> None:
    if not row.email:
        raise Rejected(f"no record has external_id {row.external_id}; a new record needs an email", "email")
    if not row.profile.get("name"):
        raise Rejected("a new record needs a name", "name")
    if row.email in staff:
        raise Rejected(f"email {row.email} belongs to a staff account", "email")


def new_values(row: CustomerRow) -> dict:
    """The values of the record a row creates: its own, the defaults for the rest."""
    return {"id": None, "signal_id": None, "email": row.email, "external_id": row.external_id,
            **NEW_PROFILE, **row.profile, **NEW_SIGNALS, **row.signals}


def fixed_values(now: datetime) -> dict:
    """The columns every new record starts with."""
    return {"state": AdvocateState.INVITED, "ask_frequency": AskFrequency.STANDARD,
            "leaderboard_opt_out": False, "status": Status.BRONZE, "status_since": now, "balance": 0,
            "lifetime_points": 0, "email_opt_outs": [], "created_at": now}


def _score(written: list[Outcome], ctx: Context) -> None:
    started = ctx.clock()
    rules, today = ctx.rules, ctx.today
    for outcome in written:
        v = outcome.values
        v["readiness_score"], v["eligible"] = readiness.rate(v, rules, today)
    ctx.scoring_seconds += ctx.clock() - started


def _write(session: Session, outcomes: list[Outcome], ctx: Context) -> None:
    """Score what is written, then one executemany per statement through the session."""
    created = [o for o in outcomes if o.outcome == "created"]
    updated = [o for o in outcomes if o.outcome == "updated" and o.values is not None]
    _score(created + updated, ctx)
    if created:
        _create(session, created, ctx)
    if updated:
        session.execute(_UPDATE, [{"b_id": o.advocate_id, **{f"b_{n}": o.values[n] for n in _WRITTEN}}
                                  for o in updated])
    fresh = [o.values for o in updated if o.values["signal_id"] is None]
    if fresh:
        session.execute(_SIGNAL_INSERT, [{"advocate_id": v["id"], "updated_at": ctx.now,
                                          **{name: v[name] for name in SIGNALS}} for v in fresh])
    changed = [o.values for o in updated if o.values["signal_id"] is not None]
    if changed:
        session.execute(_SIGNAL_UPDATE, [{"b_id": v["id"], "b_updated_at": ctx.now,
                                          **{f"b_{name}": v[name] for name in SIGNALS}} for v in changed])


def _email(outcome: Outcome) -> str:
    return outcome.row.email


def _create(session: Session, created: list[Outcome], ctx: Context) -> None:
    """Insert the new records with one executemany, read their ids back, then insert their signals.

    New ids come from above the largest one (SQLite rowids, PostgreSQL sequences), so one range read
    on the primary key finds them; if another writer's rows are mixed in, the emails decide."""
    fixed = fixed_values(ctx.now)
    created.sort(key=_email)  # neighbouring inserts land on neighbouring pages of the email index
    after = session.scalar(_LAST_ID) or 0
    session.execute(_INSERT, [{**fixed, **{name: o.values[name] for name in _WRITTEN}} for o in created])
    ids = dict(session.execute(_NEWER, {"after": after}).tuples().all())
    if any(o.row.email not in ids for o in created):
        emails = [o.row.email for o in created]
        ids = dict(session.execute(select(_A.c.email, _A.c.id).where(_A.c.email.in_(emails))).tuples().all())
    for o in created:
        o.advocate_id = ids[o.row.email]
    session.execute(_SIGNAL_INSERT, [{"advocate_id": o.advocate_id, "updated_at": ctx.now,
                                      **{name: o.values[name] for name in SIGNALS}} for o in created])


def _account(row: CustomerRow, stored: dict | None, owners: dict) -> tuple | None:
    """A row's state and owner_email under the lifecycle rules: Rejected, or (state, owner id) to set
    (None each when unchanged; None for both).

    A new record (stored None) starts invited, or opted_out if the row says so; an existing one
    moves as lifecycle.MOVES allows. The owner must be an active staff user."""
    owner_id = owners.get(row.owner_email) if row.owner_email else None
    if row.owner_email and owner_id is None:
        raise Rejected(f"owner_email {row.owner_email}: no active staff user has this email", "owner_email")
    if stored is None:
        if row.state not in (None, AdvocateState.INVITED, AdvocateState.OPTED_OUT):
            raise Rejected("state: a new record starts invited (or opted_out); it becomes active when the "
                           "person accepts their invitation", "state")
        state = row.state if row.state == AdvocateState.OPTED_OUT else None
    else:
        current = AdvocateState(stored["state"])
        state = row.state if row.state not in (None, current) else None
        problem = state and lifecycle.move_problem(current, state, erased=bool(stored["erased"]),
                                                   has_password=bool(stored["has_password"]))
        if problem:
            raise Rejected(f"state: {problem}", "state")
        owner_id = owner_id if owner_id != stored["owner_id"] else None
    return (state, owner_id) if state is not None or owner_id is not None else None

