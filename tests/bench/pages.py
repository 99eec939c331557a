"""The campaign-day pages one by one: server time and SQL statements per request, through the test client.

Each request runs in its own app context (its own database session and `g`), as under gunicorn.
`page_ms_<kind>` is the median CPU time of one request in this process (the test client's share
included, about 0.3 ms): what a request costs a worker, and steady while other processes share the
cores. `page_queries_<kind>` is the median number of SQL statements it runs.

Virtual advocates walk the campaign loop (issue 13): the dashboard, the missions, one mission, start it
(POST), the attempt page it lands on, submit evidence (POST), the leaderboard all time and this month.
A curator then opens the approvals queue and approves each submission (POST). A referral landing page is
opened (GET, counts a click) and takes a friend's sign-up (POST), from a new browser each time. The
sign-in page is opened and posted; the bench hashes passwords with the "fast" profile, so argon2's
real cost (services/people/passwords.py) is not in `page_ms_login_post`.
"""

import statistics
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Advocate, AdvocateState, Evidence, StaffRole, StaffUser, Status
from app.services import referrals
from app.services.missions import eligibility
from app.services.people import passwords
from tests.conftest import session_token

KINDS = ("dashboard", "missions", "mission", "start", "attempt", "submit", "leaderboard_all",
         "leaderboard_month", "approvals", "approve", "referral_get", "referral_post", "login_get",
         "login_post")
PASSWORD = "bench-password-123"  # noqa: S105 (the bench data's password, tests/bench/run.py)
EVIDENCE = {"link": "https://reviews.example.com/rallypoint/1", "text": "Done, and glad to help."}


class StatementCounter:
    """Counts the statements the app sends through the engine while `counting` is set, by its engine
    events: every statement (`before_cursor_execute`), and each COMMIT and ROLLBACK (`commit`,
    `rollback`), which the driver sends without a cursor. BEGIN counts as a statement; trigger bodies
    do not. A context manager: the listeners are removed on exit."""

    EVENTS = ("before_cursor_execute", "commit", "rollback")

    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        self.counting = False

    def __enter__(self) -> "StatementCounter":
        for name in self.EVENTS:
            event.listen(self.engine, name, self._seen)
        return self

    def __exit__(self, *exc) -> None:
        for name in self.EVENTS:
            event.remove(self.engine, name, self._seen)

    def _seen(self, *_args) -> None:
        if self.counting:
            self.count += 1


class Timings:
    def __init__(self, app, counter: StatementCounter):
        self.app, self.counter = app, counter
        self.ms: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.queries: dict[str, list[int]] = {kind: [] for kind in KINDS}

    def request(self, kind: str, call: Callable, *, expect: int = 200):
        """One request in its own app context, timed and counted."""
        self.counter.count, self.counter.counting = 0, True
        started = time.process_time()
        with self.app.app_context():
            response = call()
        elapsed = time.process_time() - started
        self.counter.counting = False
        assert response.status_code == expect, (kind, response.status_code, response.location)
        self.ms[kind].append(elapsed * 1000)
        self.queries[kind].append(self.counter.count)
        return response

    def figures(self, skip: int) -> dict[str, str]:
        """Medians, without each kind's first `skip` requests (they warm caches)."""
        lines = {}
        for kind in KINDS:
            lines[f"page_ms_{kind}"] = f"{statistics.median(self.ms[kind][skip:]):.2f}"
        for kind in KINDS:
            lines[f"page_queries_{kind}"] = f"{statistics.median(self.queries[kind][skip:]):g}"
        return lines


def campaign_advocates(session: Session, now: datetime, count: int) -> list[tuple[Advocate, int]]:
    """Active Bronze advocates, each with an open mission they may start now that needs a curator's
    approval and takes a link or text as evidence: (advocate, mission id)."""
    found = []
    candidates = session.scalars(select(Advocate).where(
        Advocate.state == AdvocateState.ACTIVE, Advocate.status == Status.BRONZE,
        Advocate.leaderboard_opt_out.is_(False)).order_by(Advocate.id).limit(count * 4)).all()
    for advocate in candidates:
        offer = next((o for o in eligibility.offers_for(session, advocate, now)
                      if o.available and o.mission.activity.requires_approval
                      and o.mission.activity.evidence in (Evidence.LINK, Evidence.TEXT)), None)
        if offer is not None:
            found.append((advocate, offer.mission.id))
        if len(found) == count:
            return found
    raise AssertionError(f"only {len(found)} advocates with a mission to start")


def measure(app, session: Session, now: datetime, *, advocates: int = 40, skip: int = 5) -> dict[str, str]:
    """Walk `advocates` virtual advocates through the campaign pages; `page_ms_*` and `page_queries_*`."""
    walkers = campaign_advocates(session, now, advocates)
    curator = StaffUser(email="bench-curator@bench.test", name="Bench Curator", role=StaffRole.MARKETING,
                        password_hash=passwords.hash_password(PASSWORD), created_at=now)
    session.add(curator)
    session.flush()
    codes = [referrals.get_or_create_code(session, advocate_id=a.id, now=now).code for a, _ in walkers]
    emails = [a.email for a, _ in walkers]
    tokens = [session_token(a) for a, _ in walkers]
    curator_token = session_token(curator)
    session.expunge_all()
    session.rollback()  # this context holds no transaction while the requests run
    with StatementCounter(db.engine) as counter:
        timings = Timings(app, counter)
        submitted = []
        for n, ((_, mission_id), token) in enumerate(zip(walkers, tokens, strict=True)):
            submitted.append(_advocate_loop(app, timings, token, mission_id))
            _referral(app, timings, codes[n], n)
            _sign_in(app, timings, emails[n])
        staff = _signed_in(app, curator_token)
        for attempt_id in submitted:
            timings.request("approvals", lambda: staff.get("/admin/approvals"))
            timings.request("approve", lambda a=attempt_id: staff.post(f"/admin/approvals/{a}/approve"),
                            expect=302)
    return timings.figures(skip)


def _signed_in(app, token: str):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def _advocate_loop(app, timings: Timings, token: str, mission_id: int) -> int:
    """One advocate's pass through the portal; returns the attempt it submitted."""
    client = _signed_in(app, token)
    timings.request("dashboard", lambda: client.get("/portal/"))
    timings.request("missions", lambda: client.get("/portal/missions"))
    timings.request("mission", lambda: client.get(f"/portal/missions/{mission_id}"))
    started = timings.request("start", lambda: client.post(f"/portal/missions/{mission_id}/start"),
                              expect=302)
    attempt_path = started.location
    assert "/portal/attempts/" in attempt_path, attempt_path
    timings.request("attempt", lambda: client.get(attempt_path))
    submitted = timings.request("submit", lambda: client.post(f"{attempt_path}/submit", data=EVIDENCE),
                                expect=302)
    assert submitted.location.endswith(attempt_path), submitted.location
    timings.request("leaderboard_all", lambda: client.get("/portal/leaderboard?period=all"))
    timings.request("leaderboard_month", lambda: client.get("/portal/leaderboard?period=month"))
    return int(attempt_path.rsplit("/", 1)[1])


def _referral(app, timings: Timings, code: str, n: int) -> None:
    """A new browser (its own address) opens a referral link and signs up."""
    friend = app.test_client()
    friend.environ_base["REMOTE_ADDR"] = f"10.13.{n // 250}.{n % 250 + 1}"
    timings.request("referral_get", lambda: friend.get(f"/r/{code}"))
    form = {"name": f"Bench Friend {n}", "email": f"friend{n}@prospect{n}.example",
            "company": f"Prospect {n}"}
    timings.request("referral_post", lambda: friend.post(f"/r/{code}", data=form), expect=302)


def _sign_in(app, timings: Timings, email: str) -> None:
    client = app.test_client()
    timings.request("login_get", lambda: client.get("/login"))
    timings.request("login_post", lambda: client.post("/login", data={"email": email, "password": PASSWORD}),
                    expect=302)
