"""Demo content library: ratings on the approved reviews, consent given (and once withdrawn) for the
items the replayed approvals made, a few testimonials in the community feed, case studies in every
state of the editor and a quote entered by hand. Made through the content services."""

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Advocate, ContentItem, ContentKind, ContentState, ContentUse, StaffUser
from app.services import content

PLATFORMS = ("G2", "Capterra", "TrustRadius")
CASE_STUDY = {"challenge": "Our advocacy program lived in spreadsheets; nobody knew who had been asked.",
              "solution": "We moved every ask, review and reference into Rallypoint in two weeks.",
              "results": "Reviews tripled in a quarter and no customer was asked twice in a month.",
              "quote": "It feels like our customers are part of the team now."}


def _ratings(session: Session, rng: random.Random) -> None:
    for item in session.scalars(select(ContentItem).where(ContentItem.kind == ContentKind.REVIEW)):
        attempt = item.source_attempt
        stars = rng.choices((5, 4, 3, 2), weights=(55, 30, 10, 5))[0]
        platform = PLATFORMS[attempt.id % len(PLATFORMS)] if attempt else rng.choice(PLATFORMS)
        item.rating, item.platform = stars, platform
        if attempt is not None:
            attempt.review_rating, attempt.review_platform = stars, platform


def _consents(session: Session, rng: random.Random, now: datetime) -> int:
    """Consent for most approved items; one website withdrawal; a few published to the feed."""
    items = session.scalars(select(ContentItem).where(ContentItem.state == ContentState.APPROVED,
                                                      ContentItem.advocate_id.is_not(None))
                            .order_by(ContentItem.id)).all()
    published = 0
    for n, item in enumerate(items):
        at = min(item.created_at + timedelta(days=rng.randint(1, 5)), now)
        for use, share in ((ContentUse.WEBSITE, 0.7), (ContentUse.SALES, 0.5), (ContentUse.SOCIAL, 0.3)):
            if rng.random() < share:
                content.set_consent(session, item_id=item.id, use=use, granted=True, by_kind="advocate",
                                    by_id=item.advocate_id, now=at)
        if content.is_usable(session, item_id=item.id, use=ContentUse.WEBSITE):
            if n == 0:  # changed their mind: consent withdrawn, so it is nowhere
                later = min(at + timedelta(days=3), now)
                content.set_consent(session, item_id=item.id, use=ContentUse.WEBSITE, granted=False,
                                    by_kind="advocate", by_id=item.advocate_id, now=later)
            elif item.kind == ContentKind.TESTIMONIAL and published < 4:
                content.publish(session, item_id=item.id, now=at)
                published += 1
    return published


def _case_studies(session: Session, marketing: StaffUser, now: datetime) -> None:
    """Three case studies: a draft half written, one waiting for its advocate, one approved."""
    authors = session.scalars(select(Advocate).where(Advocate.email.in_((
        "maya.thompson@brightlane.test", "sofia.lindqvist@medisync.test", "daniel.okafor@harborbank.test")))
        .order_by(Advocate.id)).all()
    for n, advocate in enumerate(authors):
        item = content.create(session, new=content.NewItem(
            kind="case_study", text="", title=f"{advocate.company}: advocacy at scale",
            advocate_id=advocate.id,
            tags={"segment": "Enterprise", "industry": advocate.industry, "use_case": "Advocate program",
                  "outcome": "More reviews"}), staff_id=marketing.id, now=now - timedelta(days=20 - n))
        steps = content.STEPS[:2] if n == 0 else content.STEPS
        for step in steps:
            content.save_step(session, item_id=item.id, step=step, text=CASE_STUDY[step])
        if n >= 1:
            content.send_for_approval(session, item_id=item.id, now=now - timedelta(days=10))
        if n == 2:
            approved = now - timedelta(days=8)
            content.author_approve(session, item_id=item.id, advocate_id=advocate.id, now=approved)
            content.set_consent(session, item_id=item.id, use=ContentUse.SALES, granted=True,
                                by_kind="advocate", by_id=advocate.id, now=approved)


def load_content(session: Session, rng: random.Random, marketing: StaffUser, now: datetime) -> int:
    """Returns how many items the library holds."""
    _ratings(session, rng)
    _consents(session, rng, now)
    _case_studies(session, marketing, now)
    quote = content.create(session, new=content.NewItem(
        kind="quote", title="Analyst day", text="The most complete advocacy platform we evaluated.",
        author_name="Priya Shah", author_company="Northbeam Research", tags={"segment": "Analyst"}),
        staff_id=marketing.id, now=now - timedelta(days=12))
    content.set_consent(session, item_id=quote.id, use=ContentUse.WEBSITE, granted=True, by_kind="staff",
                        by_id=marketing.id, now=now - timedelta(days=12))
    session.flush()
    return len(session.scalars(select(ContentItem.id)).all())
