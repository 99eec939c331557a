"""Demo references: opted-in advocates with use cases, and requests in every state (open with its
matches, asked, accepted, fulfilled with both sides' feedback and the points, one that fell through
after a timeout), made through the services at past moments."""

import random
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select

from app.models import Advocate, AdvocateState, StaffUser, Status
from app.services import references
from app.services.errors import Conflict

D = timedelta(days=1)
REQUESTS = (  # prospect, industry, size, region, use cases, days ago, what happened
    ("Larkspur Health", "Healthcare", "1001-5000", "EMEA", ["security", "integrations"], 30, "completed"),
    ("Oakridge Software", "Software", "51-200", "North America", ["api", "automation"], 12, "accepted"),
    ("Tern Logistics", "Logistics", "201-1000", "EMEA", ["reporting"], 9, "timed_out"),
    ("Copperline Bank", "Financial Services", "5000+", "North America", ["security"], 2, "asked"),
    ("Willow Retail", "Retail", "201-1000", "LATAM", ["analytics", "onboarding"], 1, "open"),
)


def _links() -> references.AnswerLinks:
    if has_app_context():
        config = current_app.config
        return references.AnswerLinks(config["SECRET_KEY"], config.get("PUBLIC_BASE_URL") or "http://localhost:5000")
    return references.AnswerLinks("demo", "http://localhost:5000")


def _opt_in(session, rng: random.Random, now: datetime) -> int:
    rows = session.scalars(select(Advocate).where(Advocate.state == AdvocateState.ACTIVE,
                                                  Advocate.status != Status.BRONZE)
                           .order_by(Advocate.id)).all()
    chosen = [a for a in rows if rng.random() < 0.6]
    for advocate in chosen:
        references.set_profile(session, advocate_id=advocate.id, opted_in=True,
                               use_cases=list(advocate.tags or [])[:3], now=now - 60 * D)
    return len(chosen)


def load_references(session, rng: random.Random, marketing: StaffUser, now: datetime) -> int:
    """Opt some Silver-and-up advocates in and file the demo requests; returns how many were filed."""
    if references.reference_activity(session) is None or not _opt_in(session, rng, now):
        return 0
    links = _links()
    for prospect, industry, size, region, use_cases, days, outcome in REQUESTS:
        filed_at = now - days * D
        request = references.file_request(session, fields=references.RequestFields(
            prospect_company=prospect, industry=industry, size_band=size, region=region, use_cases=use_cases,
            needed_by=(now + 14 * D).date(), crm_opportunity_id=f"OPP-{rng.randint(1000, 9999)}",
            opportunity_amount=rng.choice((18_000, 36_000, 60_000, 120_000))),
            staff=marketing, source="staff", now=filed_at)
        if outcome != "open":
            _play(session, request, outcome, marketing, filed_at, links)
    return len(REQUESTS)


def _play(session, request, outcome: str, marketing: StaffUser, filed_at: datetime, links) -> None:
    try:
        ask = references.send_ask(session, request_id=request.id, advocate_id=None, sent_by=marketing.name,
                                  now=filed_at + D / 4, links=links)
    except Conflict:  # nobody to ask in a small demo
        return
    if outcome == "timed_out":
        references.expire_due(session, now=ask.due_at, links=links)
    elif outcome in ("accepted", "completed"):
        references.answer(session, ask_id=ask.id, advocate_id=ask.advocate_id, accept=True,
                          now=filed_at + D, links=links)
    if outcome == "completed":
        references.advocate_feedback(session, ask_id=ask.id, advocate_id=ask.advocate_id, rating=5,
                                     text="A sharp team with our rollout questions. Happy to help.",
                                     author=ask.advocate.name, now=filed_at + 4 * D)
        references.complete(session, ask_id=ask.id, staff=marketing, rating=5,
                            text="Great call: the security answers closed the evaluation.",
                            now=filed_at + 4 * D)
