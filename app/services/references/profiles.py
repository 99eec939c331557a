"""An advocate's reference profile: whether they take reference calls and the use cases they can
speak to. Tags are lower-case words joined by hyphens ("data-migration"), at most MAX_TAGS."""

import re
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import ReferenceProfile
from app.services.errors import ValidationFailed

TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TAGS = 10
MAX_TAG_LENGTH = 40


def normalise_tags(raw: str | list[str], *, field: str = "use_cases") -> list[str]:
    """Tags from a comma-separated string or a list: trimmed, lower-case, spaces as hyphens, each
    once, in the order given. ValidationFailed on `field` for a tag with other characters."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for part in parts:
        tag = "-".join(str(part).strip().lower().split())
        if not tag:
            continue
        if not TAG.match(tag) or len(tag) > MAX_TAG_LENGTH:
            raise ValidationFailed(f"Use letters, digits and hyphens in a use case (not {part.strip()!r}).",
                                   field=field)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationFailed(f"Name at most {MAX_TAGS} use cases.", field=field)
    return tags


def profile_of(session: Session, advocate_id: int) -> ReferenceProfile | None:
    return session.get(ReferenceProfile, advocate_id)


def set_profile(session: Session, *, advocate_id: int, opted_in: bool, use_cases: str | list[str],
                now: datetime) -> ReferenceProfile:
    """The advocate's own choice: take reference calls or not, and the use cases they can speak to."""
    tags = normalise_tags(use_cases)
    profile = session.get(ReferenceProfile, advocate_id)
    if profile is None:
        profile = ReferenceProfile(advocate_id=advocate_id, quarter_key="", quarter_count=0)
        session.add(profile)
    profile.opted_in = bool(opted_in)
    profile.use_cases = f",{','.join(tags)}," if tags else ""
    profile.updated_at = now
    session.flush()
    return profile
