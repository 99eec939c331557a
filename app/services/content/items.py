"""Content items: made from approved attempts (in the approval's transaction) or by staff by hand;
the staff library's search, filters and pages; publishing to the community feed.

An attempt of a review, testimonial, case-study, social or content kind becomes one item (unique on
the attempt): its evidence text or link becomes the item's text or link, a review keeps its rating
and platform. Reviews, testimonials, social posts and videos start approved (staff approved the
attempt); a case study starts as a draft for the editor (case_studies.py).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import (
    ActivityKind,
    Advocate,
    Attempt,
    ContentConsent,
    ContentItem,
    ContentKind,
    ContentState,
    ContentUse,
)
from app.services import feed
from app.services.content import consent
from app.services.errors import Conflict, NotFound, ValidationFailed

FROM_ACTIVITY = {
    ActivityKind.REVIEW: ContentKind.REVIEW,
    ActivityKind.TESTIMONIAL: ContentKind.TESTIMONIAL,
    ActivityKind.CASE_STUDY: ContentKind.CASE_STUDY,
    ActivityKind.SOCIAL_POST: ContentKind.SOCIAL,
    ActivityKind.CONTENT: ContentKind.VIDEO,  # advocate-made content: a video (or other media) link
}
TAGS = ("segment", "industry", "use_case", "outcome")
PAGE_SIZE = 25
MAX_TEXT = 5000


def from_attempt(session: Session, *, attempt: Attempt, now: datetime) -> ContentItem | None:
    """The item of an approved attempt of a content kind, once (None for other kinds)."""
    kind = FROM_ACTIVITY.get(attempt.activity.kind)
    if kind is None:
        return None
    found = session.scalar(select(ContentItem).where(ContentItem.source_attempt_id == attempt.id))
    if found is not None:
        return found
    advocate = attempt.advocate
    item = ContentItem(
        kind=kind, state=ContentState.DRAFT if kind == ContentKind.CASE_STUDY else ContentState.APPROVED,
        title=attempt.mission.title[:160], text=attempt.evidence_text or "", link=attempt.evidence_link,
        rating=attempt.review_rating if kind == ContentKind.REVIEW else None,
        platform=attempt.review_platform if kind == ContentKind.REVIEW else None,
        advocate_id=attempt.advocate_id, author_name=advocate.name[:120],
        author_company=(advocate.company or "")[:120], source_attempt_id=attempt.id,
        industry=(advocate.industry or "")[:80], created_at=now)
    session.add(item)
    session.flush()
    return item


@dataclass
class NewItem:
    kind: str
    text: str
    title: str = ""
    link: str | None = None
    rating: int | None = None
    platform: str | None = None
    advocate_id: int | None = None
    advocate_email: str = ""  # staff name the advocate by email (instead of advocate_id)
    author_name: str = ""
    author_company: str = ""
    tags: dict = field(default_factory=dict)


def _kind(value) -> ContentKind:
    try:
        return ContentKind(value)
    except ValueError:
        raise ValidationFailed("Choose a kind.", field="kind") from None


def _check_new(session: Session, new: NewItem, kind: ContentKind) -> Advocate | None:
    advocate = session.get(Advocate, new.advocate_id) if new.advocate_id else None
    if new.advocate_id and advocate is None:
        raise ValidationFailed("No such advocate.", field="advocate_id")
    if new.advocate_email.strip() and advocate is None:
        email = new.advocate_email.strip().lower()
        advocate = session.scalar(select(Advocate).where(Advocate.email == email))
        if advocate is None:
            raise ValidationFailed("No advocate has this email.", field="advocate_email")
    if advocate is None and not new.author_name.strip():
        raise ValidationFailed("Name the author, or give the advocate's email.", field="author_name")
    if kind == ContentKind.CASE_STUDY and advocate is None:
        raise ValidationFailed("A case study needs an advocate author: they approve its final text.",
                               field="advocate_email")
    if kind != ContentKind.CASE_STUDY and not (new.text or "").strip() and not new.link:
        raise ValidationFailed("Give the text (or a link for a video).", field="text")
    if new.rating is not None and not 1 <= new.rating <= 5:
        raise ValidationFailed("A rating is 1 to 5 stars.", field="rating")
    if new.link and not new.link.startswith(("https://", "http://")):
        raise ValidationFailed("Give the full link, starting with https://", field="link")
    return advocate


def create(session: Session, *, new: NewItem, staff_id: int | None, now: datetime) -> ContentItem:
    """An item entered by staff: approved at once, except a case study (a draft for the editor)."""
    kind = _kind(new.kind)
    advocate = _check_new(session, new, kind)
    item = ContentItem(
        kind=kind, state=ContentState.DRAFT if kind == ContentKind.CASE_STUDY else ContentState.APPROVED,
        title=new.title.strip()[:160], text=(new.text or "").strip()[:MAX_TEXT], link=new.link or None,
        rating=new.rating if kind == ContentKind.REVIEW else None,
        platform=(new.platform or "").strip()[:80] or None,
        advocate_id=advocate.id if advocate else None,
        author_name=(advocate.name if advocate else new.author_name.strip())[:120],
        author_company=((advocate.company if advocate else new.author_company) or "").strip()[:120],
        created_at=now, created_by_id=staff_id,
        **{tag: (new.tags.get(tag) or "").strip()[:80] for tag in TAGS})
    session.add(item)
    session.flush()
    return item


def get(session: Session, *, item_id: int) -> ContentItem:
    item = session.get(ContentItem, item_id, options=[joinedload(ContentItem.advocate)])
    if item is None:
        raise NotFound("No such content item.")
    return item


def set_tags(session: Session, *, item_id: int, tags: dict) -> ContentItem:
    item = get(session, item_id=item_id)
    for tag in TAGS:
        setattr(item, tag, (tags.get(tag) or "").strip()[:80])
    session.flush()
    return item


def archive(session: Session, *, item_id: int) -> ContentItem:
    """Take an item out of use: no export, no feed (retracted now)."""
    item = get(session, item_id=item_id)
    item.state = ContentState.ARCHIVED
    consent.unpublish(session, item=item)
    return item


def for_advocate(session: Session, *, advocate_id: int) -> list[ContentItem]:
    """An advocate's own items, newest first (the portal's My content)."""
    return session.scalars(select(ContentItem).where(ContentItem.advocate_id == advocate_id,
                                                     ContentItem.state != ContentState.ARCHIVED)
                           .order_by(ContentItem.id.desc())).all()


@dataclass
class Filters:
    q: str = ""
    kind: ContentKind | None = None
    state: ContentState | None = None
    consent: ContentUse | None = None  # consented now for this use
    tags: dict = field(default_factory=dict)


def filtered(filters: Filters):
    """The library's statement for `filters` (newest first is the caller's order)."""
    stmt = select(ContentItem).options(joinedload(ContentItem.advocate))
    if filters.q.strip():
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(ContentItem.text.ilike(like), ContentItem.title.ilike(like),
                              ContentItem.author_name.ilike(like), ContentItem.author_company.ilike(like),
                              ContentItem.quote.ilike(like), ContentItem.results.ilike(like)))
    if filters.kind is not None:
        stmt = stmt.where(ContentItem.kind == filters.kind)
    if filters.state is not None:
        stmt = stmt.where(ContentItem.state == filters.state)
    if filters.consent is not None:
        stmt = stmt.where(consent.consented(filters.consent))
    for tag in TAGS:
        if value := (filters.tags.get(tag) or "").strip():
            stmt = stmt.where(getattr(ContentItem, tag) == value)
    return stmt


@dataclass
class LibraryPage:
    items: list[ContentItem]
    page: int
    has_more: bool


def library(session: Session, *, filters: Filters, page: int = 1, size: int = PAGE_SIZE) -> LibraryPage:
    page = max(1, page)
    rows = session.scalars(filtered(filters).order_by(ContentItem.id.desc())
                           .offset((page - 1) * size).limit(size + 1)).unique().all()
    return LibraryPage(rows[:size], page, len(rows) > size)


def feed_text(item: ContentItem) -> str:
    words = " ".join((item.quote or item.text or item.title).split())
    if len(words) > 240:
        words = words[:239].rstrip() + "…"
    return f"“{words}”" if words else item.title


def publish(session: Session, *, item_id: int, now: datetime) -> ContentItem:
    """Put an approved item whose author consented to the website use into the community feed."""
    item = get(session, item_id=item_id)
    if item.advocate_id is None:
        raise Conflict("Only an advocate's own words can go in the community feed.")
    if not consent.is_usable(session, item_id=item.id, use=consent.FEED_USE):
        raise Conflict("Not publishable: the item must be approved and its author must have agreed to "
                       "the website use (the feed shows on the website through its embeds).")
    feed.record(session, kind=consent.FEED_KIND, advocate_id=item.advocate_id,
                subject=consent.feed_subject(item.id), text=feed_text(item), occurred_at=now)
    if item.published_at is None:
        item.published_at = now
    session.flush()
    return item


def erase_author(session: Session, *, advocate_id: int, now: datetime) -> int:
    """An erased advocate's items: out of the feed, every use withdrawn (the history keeps the dates,
    no words), the words and author cleared and the item archived. Returns how many items."""
    items = session.scalars(select(ContentItem).where(ContentItem.advocate_id == advocate_id)).all()
    for item in items:
        for use, row in consent.current(session, item_id=item.id).items():
            if row is not None and row.granted:
                session.add(ContentConsent(item_id=item.id, use=use, granted=False, at=now, by_kind="system",
                                           by_id=None))
        consent.unpublish(session, item=item)
        for column in ("title", "text", "quote", "challenge", "solution", "results", "author_name",
                       "author_company", "platform"):
            setattr(item, column, "" if column != "platform" else None)
        item.link, item.state = None, ContentState.ARCHIVED
    session.flush()
    return len(items)
