"""The case-study editor: challenge → solution → results → quote, each step saved on its own; then the
advocate approves the final text in the portal before it can be exported or published.

draft → awaiting_author (staff send it, every step written) → approved (the advocate approves).
Any edit to a step sends an awaiting or approved case study back to draft and clears the advocate's
approval (and takes it out of the feed), so edited text is never used unapproved. Moves are guarded
updates (`WHERE state = :from`).
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import ContentItem, ContentKind, ContentState, Notification
from app.services.content import consent
from app.services.content.items import get
from app.services.errors import InvalidTransition, NotFound, ValidationFailed

STEPS = ("challenge", "solution", "results", "quote")
STEP_LABELS = {"challenge": "Challenge", "solution": "Solution", "results": "Results", "quote": "Quote"}
MAX_STEP = 5000


def _case_study(session: Session, item_id: int) -> ContentItem:
    item = get(session, item_id=item_id)
    if item.kind != ContentKind.CASE_STUDY:
        raise NotFound("No such case study.")
    return item


def next_step(item: ContentItem) -> str | None:
    """The first step not written yet (None: all four are)."""
    return next((step for step in STEPS if not (getattr(item, step) or "").strip()), None)


def final_text(item: ContentItem) -> str:
    return "\n\n".join(f"{STEP_LABELS[step]}: {getattr(item, step).strip()}" for step in STEPS
                       if (getattr(item, step) or "").strip())


def save_step(session: Session, *, item_id: int, step: str, text: str) -> ContentItem:
    """Save one step; an edit after sending or approval needs the advocate's approval again."""
    if step not in STEPS:
        raise ValidationFailed("Unknown step.", field="step")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(f"Write the {STEP_LABELS[step].lower()}.", field="text")
    item = _case_study(session, item_id)
    if item.state == ContentState.ARCHIVED:
        raise InvalidTransition("This case study is archived.")
    if text == (getattr(item, step) or "").strip():
        return item
    setattr(item, step, text[:MAX_STEP])
    item.text = final_text(item)
    if item.state != ContentState.DRAFT:
        item.state, item.author_approved_at = ContentState.DRAFT, None
        consent.unpublish(session, item=item)
    session.flush()
    return item


def _move(session: Session, item: ContentItem, frm: ContentState, to: ContentState, **values) -> None:
    result = session.execute(update(ContentItem).where(ContentItem.id == item.id, ContentItem.state == frm)
                             .values(state=to, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition("This case study was changed by someone else; reload to see it.")
    session.flush()
    session.refresh(item)


def send_for_approval(session: Session, *, item_id: int, now: datetime) -> ContentItem:
    """Ask the advocate to approve the final text (a notification links to it in the portal)."""
    item = _case_study(session, item_id)
    if (missing := next_step(item)) is not None:
        raise ValidationFailed(f"Write the {STEP_LABELS[missing].lower()} first.", field=missing)
    if item.state != ContentState.DRAFT:
        raise InvalidTransition(f"This case study is {item.state.label.lower()}; only a draft is sent.")
    _move(session, item, ContentState.DRAFT, ContentState.AWAITING_AUTHOR)
    session.add(Notification(advocate_id=item.advocate_id, kind="content",
                             title=f"Please approve your case study: {item.title or 'your story'}",
                             body="Read the final text and approve it, or tell us what to change.",
                             link=f"/portal/content/{item.id}", created_at=now))
    session.flush()
    return item


def author_approve(session: Session, *, item_id: int, advocate_id: int, now: datetime) -> ContentItem:
    """The advocate approves the final text as it stands now."""
    item = _case_study(session, item_id)
    if item.advocate_id != advocate_id:
        raise NotFound("No such case study.")
    if item.state != ContentState.AWAITING_AUTHOR:
        raise InvalidTransition("There is nothing of this case study waiting for your approval.")
    _move(session, item, ContentState.AWAITING_AUTHOR, ContentState.APPROVED, author_approved_at=now)
    return item
