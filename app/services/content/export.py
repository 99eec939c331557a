"""The library's CSV export for one use: only items approved and consented for that use now."""

import csv
import io

from sqlalchemy.orm import Session

from app.models import ContentItem, ContentUse
from app.services.content import consent
from app.services.content.items import Filters, filtered

COLUMNS = ("id", "kind", "title", "text", "link", "rating", "platform", "author", "company", "segment",
           "industry", "use_case", "outcome", "consented_at")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(session: Session, *, use: ContentUse, filters: Filters | None = None) -> list[ContentItem]:
    stmt = filtered(filters or Filters()).where(consent.usable(use)).order_by(ContentItem.id)
    return session.scalars(stmt).unique().all()


def to_csv(session: Session, *, use: ContentUse, filters: Filters | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in rows(session, use=use, filters=filters):
        granted = consent.current(session, item_id=item.id)[use]
        writer.writerow([_cell(v) for v in (
            item.id, item.kind.value, item.title, item.text, item.link, item.rating, item.platform,
            item.author, item.author_company, item.segment, item.industry, item.use_case, item.outcome,
            granted.at.isoformat() if granted else "")])
    return out.getvalue()
