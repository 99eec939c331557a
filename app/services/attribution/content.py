"""Which content item ids an opportunity may name: the one place attribution asks the content library."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ContentItem


def unknown_content_ids(session: Session, ids: Iterable[int]) -> list[int]:
    """The ids among `ids` that name no content item of the library (sorted); empty when all exist."""
    wanted = set(ids)
    if not wanted:
        return []
    found = set(session.scalars(select(ContentItem.id).where(ContentItem.id.in_(wanted))))
    return sorted(wanted - found)
