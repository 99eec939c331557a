"""Writing checked customer rows a batch at a time (SPEC §7): few statements, each row whole or not at all.

For a batch of rows (in file order) `write_batch` runs one SELECT for every stored record that
any row names by external id or email (with its signals) and one for staff emails among them,
then decides each row in order against that picture, as the rows before it left it: create,
update, unchanged, or rejected with its reason. New records are inserted with one executemany (their
ids read back by email with one SELECT), changed ones updated with one executemany, and their
customer_signal rows inserted or updated the same way, all on the session's own connection
(prepared.Prepared.many); a record whose values all equal what is stored is not written at all.
Every written record gets its readiness score and eligibility over its merged values (stored
ones where the row left a cell blank) from import_scores.Scorer, which computes what
readiness.score and readiness.is_eligible do, so the weekly job would write the same. A row of a
big import may come with its insert arguments already built and scored by the reading process
(CustomerRow.ready, see customer_pipeline); a created record is then inserted with them, and an
updated one reads its values back from them (unpack). A created record's values are built when
it is written, not when it is decided: the importer's Keys refuse a repeated external id or email,
so no later row of the batch can match it. The
caller runs it inside a SAVEPOINT and, if the database refuses the batch, again one row at a
time (see customers._write_safely).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, AskFrequency, CustomerSignal, StaffUser, Status
from app.services import lifecycle
from app.services.customer_rows import CustomerRow, Problem
from app.services.import_scores import Scorer
from app.services.prepared import Prepared

PROFILE = ("name", "company", "title", "industry", "company_size", "region", "tags", "customer_since", "nps",
           "health_score")
SIGNALS = ("purchase_count", "last_purchase_on", "csat", "recovered", "usage_depth", "referrals_made",
           "social_mentions", "last_active_on")
NEW_PROFILE = {"company": "", "title": "", "industry": "", "company_size": "", "region": "", "tags": [],
               "customer_since": None, "nps": None, "health_score": None}
NEW_SIGNALS = {"purchase_count": 0, "last_purchase_on": None, "csat": None, "recovered": False,
               "usage_depth": None, "referrals_made": 0, "social_mentions": 0, "last_active_on": None}

_A = Advocate.__table__
_S = CustomerSignal.__table__
_T = StaffUser.__table__
# csat is read as the driver gives it (a float on both engines): PostgreSQL's Float result
# processor needs the column's type code, which a statement run on the raw cursor does not have.
_FOUND_COLUMNS = (_A.c.id, _A.c.email, _A.c.external_id, *(_A.c[name] for name in PROFILE),
                  _A.c.state, _A.c.owner_id, _A.c.erased_at.is_not(None).label("erased"),
                  _A.c.password_hash.is_not(None).label("has_password"),
                  _S.c.advocate_id.label("signal_id"),
                  *(sa.type_coerce(_S.c[name], sa.types.NullType()).label(name) if name == "csat"
                    else _S.c[name] for name in SIGNALS))
_FOUND_NAMES = tuple(column.key for column in _FOUND_COLUMNS)


class _Lookup:
    """A SELECT … WHERE column IN (…) on the session's connection, its lists padded with NULL to a
    power of two: a handful of statements, each compiled once (an expanding IN is rendered again
    for every batch, and SQLAlchemy's execution of thousands of parameters costs more than the query)."""

    def __init__(self, make: Callable[..., sa.Select]):
        self.make = make
        self.by_size: dict[int, tuple[Prepared, list[str]]] = {}

    def rows(self, session: Session, *lists: list[str]) -> list[tuple]:
        size = 1 << max(0, max(len(values) for values in lists) - 1).bit_length()
        if size not in self.by_size:
            names = [[f"k{j}_{i}" for i in range(size)] for j in range(len(lists))]
            statement = self.make(*([bindparam(name, type_=sa.String) for name in group] for group in names))
            self.by_size[size] = Prepared(statement), [name for group in names for name in group]
        prepared, names = self.by_size[size]
        padded = [value for values in lists for value in (*values, *([None] * (size - len(values))))]
        return prepared.rows(session.connection(), dict(zip(names, padded)))


_FOUND = _Lookup(lambda exts, emails: select(*_FOUND_COLUMNS)
                 .select_from(_A.outerjoin(_S, _S.c.advocate_id == _A.c.id))
                 .where(sa.or_(_A.c.external_id.in_(exts), _A.c.email.in_(emails))))
_STAFF = _Lookup(lambda emails: select(_T.c.email).where(_T.c.email.in_(emails)))
_OWNERS = _Lookup(lambda emails: select(_T.c.email, _T.c.id).where(_T.c.email.in_(emails),
                                                                   _T.c.active == sa.true()))
_LAST_ID = Prepared(select(sa.func.max(_A.c.id)))
_NEWER = Prepared(select(_A.c.email, _A.c.id).where(_A.c.id > bindparam("after", type_=sa.Integer)))
_IDS = _Lookup(lambda emails: select(_A.c.email, _A.c.id).where(_A.c.email.in_(emails)))
_NEW = ("email", "external_id", *PROFILE, "state", "ask_frequency", "leaderboard_opt_out", "status",
        "status_since", "balance", "lifetime_points", "email_opt_outs", "readiness_score",
        "eligible", "created_at")
_CHANGED = ("email", "external_id", *PROFILE, "readiness_score", "eligible")
_INSERT = Prepared(sa.insert(_A).values({name: bindparam(name, type_=_A.c[name].type) for name in _NEW}))
_UPDATE = Prepared(sa.update(_A).where(_A.c.id == bindparam("b_id", type_=sa.Integer))
                   .values({name: bindparam(f"b_{name}", type_=_A.c[name].type) for name in _CHANGED}))
# The reading process builds a new record's arguments without advocate_id (insert_builders); the
# importing process adds it once the advocate row has its id (Prepared.completer).
_SIGNAL_INSERT = Prepared(sa.insert(_S).values({name: bindparam(name, type_=_S.c[name].type) for name in (
    "advocate_id", *SIGNALS, "updated_at")}))
_SIGNAL_UPDATE = Prepared(sa.update(_S).where(_S.c.advocate_id == bindparam("b_id", type_=sa.Integer))
                          .values({name: bindparam(f"b_{name}", type_=_S.c[name].type)
                                   for name in (*SIGNALS, "updated_at")}))


class Rejected(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.problem = Problem(message, field)


@dataclass
class Keys:
    """The lines where each external id and email first appeared in this import (by hash: flat memory)."""

    ext: dict[int, int] = field(default_factory=dict)
    email: dict[int, int] = field(default_factory=dict)

    def first(self, row: CustomerRow, line: int) -> Problem | None:
        """A duplicate of an earlier row: the problem; otherwise remember this row's keys."""
        ext, email = row.external_id, row.email
        ext_key = None if ext is None else hash(ext)
        email_key = None if email is None else hash(email)
        if ext_key is not None and ext_key in self.ext:
            return Problem(f"duplicate of line {self.ext[ext_key]}: the same external_id {ext}",
                           "external_id")
        if email_key is not None and email_key in self.email:
            return Problem(f"duplicate of line {self.email[email_key]}: the same email {email}", "email")
        if ext_key is not None:
            self.ext[ext_key] = line
        if email_key is not None:
            self.email[email_key] = line
        return None

    def _stored(self, stored: dict):
        return (("external_id", stored["external_id"], self.ext), ("email", stored["email"], self.email))

    def check_claim(self, stored: dict, line: int) -> None:
        """Rejected if an earlier row already matched the record a row matched (by its other key)."""
        for name, value, seen in self._stored(stored):
            if value is not None and seen.get(hash(value), line) < line:
                raise Rejected(f"duplicate of line {seen[hash(value)]}: the same customer record "
                               f"({name} {value})", name)

    def claim(self, stored: dict, line: int) -> None:
        for _, value, seen in self._stored(stored):
            if value is not None:
                seen[hash(value)] = min(seen.get(hash(value), line), line)


@dataclass
class Context:
    now: datetime
    scorer: Scorer
    keys: Keys
    clock: Callable[[], float]  # perf_counter, to time scoring apart
    scoring_seconds: float = 0.0


@dataclass(slots=True)
class Outcome:
    line: int
    row: CustomerRow
    outcome: str = "rejected"  # created, updated, unchanged, rejected
    problem: Problem | None = None
    advocate_id: int | None = None
    values: dict | None = None  # what is written: advocate columns and signal columns
    account: tuple | None = None  # (state, owner staff id) to set through the lifecycle rules, when changed


def write_batch(session: Session, rows: list[tuple[int, CustomerRow]], ctx: Context) -> list[Outcome]:
    """Decide and write one batch; the outcome of each row, in order. The caller owns the savepoint."""
    exts = [row.external_id for _, row in rows if row.external_id]
    emails = [row.email for _, row in rows if row.email]
    found = [dict(zip(_FOUND_NAMES, r)) for r in _FOUND.rows(session, exts, emails)]
    by_ext = {r["external_id"]: r for r in found if r["external_id"] is not None}
    by_email = {r["email"]: r for r in found}
    staff = {email for email, in _STAFF.rows(session, emails)} if emails else set()
    owner_emails = [row.owner_email for _, row in rows if row.owner_email]
    owners = dict(_OWNERS.rows(session, owner_emails)) if owner_emails else {}
    dialect = session.connection().dialect
    outcomes = []
    for line, row in rows:
        outcome = Outcome(line, row)
        try:
            _decide(outcome, by_ext, by_email, staff, ctx, dialect, owners)
        except Rejected as rejected:
            outcome.problem = rejected.problem
        outcomes.append(outcome)
    _score([o for o in outcomes if o.values is not None], ctx)
    _write(session, outcomes, ctx)
    if owner_emails or any(row.state is not None for _, row in rows):
        lifecycle.apply_imported(session, [(o.advocate_id, o.line, *o.account) for o in outcomes
                                           if o.account is not None and o.outcome != "rejected"], now=ctx.now)
    return outcomes


def _decide(outcome: Outcome, by_ext: dict, by_email: dict, staff: set, ctx: Context,
            dialect: Dialect, owners: dict) -> None:
    row = outcome.row
    stored = _match(row, by_ext, by_email)
    given = row.state is not None or row.owner_email is not None  # the account columns (rarely given)
    if stored is None:
        _check_new(row, staff)
        account = _account(row, None, owners) if given else None
        outcome.outcome, outcome.account = "created", account  # its values are built when written (_create)
        return
    account = _account(row, stored, owners) if given else None
    unpack(row, dialect)
    _update(outcome, stored, by_ext, by_email, staff, ctx)
    if account is not None:
        outcome.account = account
        if outcome.outcome == "unchanged":  # only the account changes: nothing else is written
            outcome.outcome = "updated"


def _update(outcome: Outcome, stored: dict, by_ext: dict, by_email: dict, staff: set, ctx: Context) -> None:
    row = outcome.row
    ctx.keys.check_claim(stored, outcome.line)
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
    if all(merged[name] == stored[name] for name in (*row.profile, *row.signals, "email", "external_id")):
        outcome.outcome = "unchanged"
        return
    outcome.outcome, outcome.values = "updated", merged
    if merged["email"] != stored["email"]:
        by_email.pop(stored["email"], None)
        by_email[merged["email"]] = merged
    if merged["external_id"] != stored["external_id"]:
        by_ext[merged["external_id"]] = merged


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
    if not (row.profile.get("name") if row.profile is not None else "name" in row.ready[2][0]):
        raise Rejected("a new record needs a name", "name")
    if row.email in staff:
        raise Rejected(f"email {row.email} belongs to a staff account", "email")


def new_values(row: CustomerRow) -> dict:
    """The values of the record a row creates: its own, the defaults for the rest."""
    return {"id": None, "signal_id": None, "email": row.email, "external_id": row.external_id,
            **NEW_PROFILE, **row.profile, **NEW_SIGNALS, **row.signals}


def _score(written: list[Outcome], ctx: Context) -> None:
    started = ctx.clock()
    score_and_flag = ctx.scorer.score_and_flag
    for outcome in written:
        v = outcome.values
        v["readiness_score"], v["eligible"] = score_and_flag(v)
    ctx.scoring_seconds += ctx.clock() - started


def fixed_values(now: datetime) -> dict:
    """The columns every new record starts with."""
    return {"state": AdvocateState.INVITED, "ask_frequency": AskFrequency.STANDARD,
            "leaderboard_opt_out": False, "status": Status.BRONZE, "status_since": now, "balance": 0,
            "lifetime_points": 0, "email_opt_outs": [], "created_at": now}


def insert_builders(dialect: Dialect, now: datetime, *, fresh: bool = False) -> tuple[Callable, Callable]:
    """(new record's values, scored) -> the driver's arguments of its advocate and customer_signal
    inserts, the second without its advocate_id: the first two parts of CustomerRow.ready. `fresh`
    compiles the statements for this very dialect object (Prepared keeps one compilation per dialect
    name), to compare two dialects of one name."""
    advocate, signal = (Prepared(_INSERT.statement), Prepared(_SIGNAL_INSERT.statement)) if fresh else (
        _INSERT, _SIGNAL_INSERT)
    return (advocate.builder(dialect, fixed_values(now), memo=True),
            signal.builder(dialect, {"updated_at": now}, without="advocate_id", memo=True))


def unpack(row: CustomerRow, dialect: Dialect) -> CustomerRow:
    """The row with its profile and signals, read back from its `ready` arguments if it was sent so."""
    if row.profile is None:
        advocate, signal, (profile, signals) = row.ready
        read_advocate, read_signal = _READERS.get(dialect.name) or _READERS.setdefault(dialect.name, (
            _INSERT.reader(dialect), _SIGNAL_INSERT.reader(dialect, without="advocate_id")))
        row.profile, row.signals = read_advocate(advocate, profile), read_signal(signal, signals)
    return row


_READERS: dict[str, tuple[Callable, Callable]] = {}


def _row_email(outcome: Outcome) -> str:
    return outcome.row.email


def _advocate_id(outcome: Outcome) -> int:
    return outcome.advocate_id


def _write(session: Session, outcomes: list[Outcome], ctx: Context) -> None:
    """executemany per statement on the session's connection; new ids read back by email."""
    connection = session.connection()
    created = [o for o in outcomes if o.outcome == "created"]
    updated = [o for o in outcomes if o.outcome == "updated" and o.values is not None]
    if created:
        _create(session, connection, created, ctx)
    if updated:
        _UPDATE.many(connection, [{"b_id": o.advocate_id, **{f"b_{n}": o.values[n] for n in _CHANGED}}
                                  for o in updated])
    fresh = [o.values for o in updated if o.values["signal_id"] is None]
    if fresh:
        _SIGNAL_INSERT.many(connection, [{**v, "advocate_id": v["id"]} for v in fresh],
                            {"updated_at": ctx.now})
    changed = [o.values for o in updated if o.values["signal_id"] is not None]
    if changed:
        _SIGNAL_UPDATE.many(connection, [{"b_id": v["id"], **{f"b_{name}": v[name] for name in SIGNALS}}
                                         for v in changed], {"b_updated_at": ctx.now})


def _create(session: Session, connection: sa.Connection, created: list[Outcome], ctx: Context) -> None:
    """Insert the new records (in email order: neighbouring inserts land on neighbouring pages of the
    email index), then their signals (in id order), with the arguments the reading process built
    (CustomerRow.ready) when every row has them, otherwise with arguments built here."""
    [(after,)] = _LAST_ID.rows(connection, {})
    created.sort(key=_row_email)
    ready = all(o.row.ready is not None for o in created)
    if ready:
        _INSERT.many_built(connection, [o.row.ready[0] for o in created])
    else:
        for o in created:
            o.values = new_values(unpack(o.row, connection.dialect))
        _score(created, ctx)
        _INSERT.many(connection, [o.values for o in created], fixed_values(ctx.now))
    # New ids come from above the largest one (SQLite rowids, PostgreSQL sequences): one range
    # read on the primary key instead of a lookup per email; rows others added are ignored.
    ids = dict(_NEWER.rows(connection, {"after": after or 0}))
    if any(o.row.email not in ids for o in created):
        ids = dict(_IDS.rows(session, [o.row.email for o in created]))
    for o in created:
        o.advocate_id = ids[o.row.email]
    created.sort(key=_advocate_id)
    if ready:
        complete = _SIGNAL_INSERT.completer(connection.dialect, "advocate_id")
        _SIGNAL_INSERT.many_built(connection, [complete(o.row.ready[1], o.advocate_id) for o in created])
    else:
        _SIGNAL_INSERT.many(connection, [{**o.values, "advocate_id": o.advocate_id} for o in created],
                            {"updated_at": ctx.now})


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

