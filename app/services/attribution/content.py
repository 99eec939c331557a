"""Which content item ids an opportunity may name: the one place attribution asks the content library.

The content library (SPEC §12) is built on another branch. Until it is merged, a content item is what
the issue says becomes one: an approved attempt of a content kind (review, testimonial, case study,
social post, video/content), by the attempt's id. At merge, `unknown_content_ids` is rewired to the
content item table (the only change needed; links store (content, id) whatever the table is).
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ActivityKind, ActivityType, Attempt, AttemptState

CONTENT_KINDS = (ActivityKind.REVIEW, ActivityKind.TESTIMONIAL, ActivityKind.CASE_STUDY,
                 ActivityKind.SOCIAL_POST, ActivityKind.CONTENT)


def unknown_content_ids(session: Session, ids: Iterable[int]) -> list[int]:
    """The ids among `ids` that name no content item (sorted); empty when all exist."""
    wanted = set(ids)
    if not wanted:
        return []
    found = set(session.scalars(
        select(Attempt.id).join(ActivityType, ActivityType.id == Attempt.activity_id)
        .where(Attempt.id.in_(wanted), Attempt.state == AttemptState.APPROVED,
               ActivityType.kind.in_(CONTENT_KINDS))))
    return sorted(wanted - found)
