"""Publication consent: which uses (website, sales material, social) an item's author agreed to.

Every grant or withdrawal is a new ContentConsent row; the newest row per (item, use) is the consent
now, so the history is kept and the current answer is derived. `usable(use)` is the one rule for
"may be exported or published for this use" (approved and consented now), as SQL; the single-item
check runs the same SQL. Withdrawing "website" takes the item out of the community feed (and so every
feed embed) in the same transaction; the feed and embeds read at request time.
"""

from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.models import ContentConsent, ContentItem, ContentState, ContentUse
from app.services import feed
from app.services.errors import Forbidden, NotFound, ValidationFailed

FEED_USE = ContentUse.WEBSITE  # the community feed shows on the website through its embeds
FEED_KIND = "testimonial"


def feed_subject(item_id: int) -> str:
    return f"content:{item_id}"


def consented(use: ContentUse):
    """SQL: the newest consent row of (item, use) is a grant."""
    newer = aliased(ContentConsent)
    latest = (select(func.max(newer.id)).where(newer.item_id == ContentConsent.item_id, newer.use == use)
              .scalar_subquery())
    return exists().where(ContentConsent.item_id == ContentItem.id, ContentConsent.use == use,
                          ContentConsent.id == latest, ContentConsent.granted.is_(True))


def usable(use: ContentUse):
    """SQL: approved and consented for `use` now — the rule for exporting and publishing."""
    return and_(ContentItem.state == ContentState.APPROVED, consented(use))


def is_usable(session: Session, *, item_id: int, use: ContentUse) -> bool:
    return bool(session.scalar(select(exists().where(ContentItem.id == item_id, usable(use)))))


def current(session: Session, *, item_id: int) -> dict[ContentUse, ContentConsent | None]:
    """The consent row in force per use (None: never asked)."""
    rows = session.scalars(select(ContentConsent).where(ContentConsent.item_id == item_id)
                           .order_by(ContentConsent.id)).all()
    now = {use: None for use in ContentUse}
    for row in rows:
        now[row.use] = row
    return now


def current_for(session: Session, *, item_ids: list[int]) -> dict[int, dict[ContentUse, bool]]:
    """Whether each use is consented now, for many items in one query."""
    found = {item_id: {use: False for use in ContentUse} for item_id in item_ids}
    rows = session.execute(select(ContentConsent.item_id, ContentConsent.use, ContentConsent.granted)
                           .where(ContentConsent.item_id.in_(item_ids)).order_by(ContentConsent.id)).all()
    for item_id, use, granted in rows:
        found[item_id][use] = granted
    return found


def history(session: Session, *, item_id: int) -> list[ContentConsent]:
    return session.scalars(select(ContentConsent).where(ContentConsent.item_id == item_id)
                           .order_by(ContentConsent.id.desc())).all()


def _use(value) -> ContentUse:
    try:
        return ContentUse(value)
    except ValueError:
        raise ValidationFailed("Choose website, sales or social.", field="use") from None


def set_consent(session: Session, *, item_id: int, use, granted: bool, by_kind: str, by_id: int | None,
                now: datetime) -> ContentConsent | None:
    """Grant or withdraw one use; a repeat of the consent in force writes nothing (returns None).

    The advocate author decides for their items; staff record consent only for a named person
    without an account (Forbidden otherwise)."""
    use = _use(use)
    item = session.get(ContentItem, item_id)
    if item is None:
        raise NotFound("No such content item.")
    _check_who(item, by_kind, by_id)
    now_row = current(session, item_id=item_id)[use]
    if now_row is not None and now_row.granted == granted:
        return None
    row = ContentConsent(item_id=item_id, use=use, granted=granted, at=now, by_kind=by_kind, by_id=by_id)
    session.add(row)
    session.flush()
    if use == FEED_USE and not granted:
        unpublish(session, item=item)
    return row


def _check_who(item: ContentItem, by_kind: str, by_id: int | None) -> None:
    if by_kind == "advocate":
        if item.advocate_id is None or item.advocate_id != by_id:
            raise NotFound("No such content item.")
        return
    if by_kind == "staff" and item.advocate_id is not None:
        raise Forbidden("Only the advocate can give or withdraw consent for their own words, in the portal.")
    if by_kind not in ("advocate", "staff"):
        raise ValidationFailed("Unknown consent source.", field="by_kind")


def unpublish(session: Session, *, item: ContentItem) -> bool:
    """Take the item out of the feed (and so every feed embed); False if it was not in it."""
    item.published_at = None
    gone = feed.retract(session, kind=FEED_KIND, subject=feed_subject(item.id))
    session.flush()
    return gone
