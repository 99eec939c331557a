"""Which activity kinds qualify for Silver and Gold (SPEC §5), and whether a status can be reached.

The qualifying kinds are program settings (lists of ActivityKind values). A status is *reachable*
when at least one active activity of a qualifying kind is offered below that status (its minimum
status ranks lower): otherwise no advocate below it could ever do the qualifying act. One rule,
`unreachable_reason`, serves the settings page (a change of kinds) and the catalog (an activity
edited, deactivated or re-kinded); neither may leave a status unreachable that was reachable.

This module reads no settings itself (services/program/settings.py imports it), so callers pass the kinds.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ActivityKind, ActivityType, Status

# The setting that lists each status's qualifying kinds; Platinum asks for months at Gold instead.
KIND_SETTINGS: dict[Status, str] = {
    Status.SILVER: "silver_qualifying_kinds",
    Status.GOLD: "gold_qualifying_kinds",
}
DEFAULT_KINDS: dict[Status, list[str]] = {
    Status.SILVER: [ActivityKind.REVIEW.value, ActivityKind.TESTIMONIAL.value],
    Status.GOLD: [ActivityKind.CASE_STUDY.value],
}
# How the act reads in a requirement ("One published case study", "One approved review").
PUBLISHED_KINDS = frozenset({ActivityKind.CASE_STUDY})


@dataclass(frozen=True)
class Offered:
    """What the rule reads of an activity (an ActivityType has the same attributes)."""

    name: str
    kind: ActivityKind
    min_status: Status
    active: bool = True


def kinds_of(values: dict, target: Status) -> tuple[ActivityKind, ...]:
    """The qualifying kinds of `target` from settings values, in catalog order (empty for Platinum)."""
    key = KIND_SETTINGS.get(target)
    chosen = set(values.get(key) or ()) if key else set()
    return tuple(kind for kind in ActivityKind if kind.value in chosen)


def kind_words(kinds: Sequence[ActivityKind]) -> str:
    """"review or testimonial", "case study", "review, testimonial or reference call"."""
    words = [kind.value.replace("_", " ") for kind in kinds]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def requirement_label(kinds: Sequence[ActivityKind]) -> str:
    """The act a status asks for, e.g. "One approved review or testimonial"."""
    adjective = "published" if set(kinds) <= PUBLISHED_KINDS else "approved"
    return f"One {adjective} {kind_words(kinds)}"


def unreachable_reason(activities: Iterable, target: Status, kinds: Sequence[ActivityKind]) -> str | None:
    """Why no advocate below `target` could ever meet its activity requirement with this catalog,
    or None when some active activity of a qualifying kind is offered below `target`."""
    if not kinds:
        return None
    wanted = set(kinds)
    matching = [a for a in activities if a.active and a.kind in wanted]
    if any(a.min_status.rank < target.rank for a in matching):
        return None
    needs = f"{target.label} needs {requirement_label(kinds).lower()}"
    if not matching:
        which = "that kind" if len(kinds) == 1 else "those kinds"
        return f"{needs}, but no active activity of {which} exists."
    shown = ", ".join(f"{a.name}: {a.min_status.label}" for a in matching[:3])
    return (f"{needs}, but every active one is offered only from {target.label} or higher ({shown}), "
            f"so nobody below {target.label} could do it.")


def _catalog(session: Session) -> list[tuple[int, Offered]]:
    """(id, activity as the rule reads it) for the whole catalog (tens of rows)."""
    rows = session.execute(select(ActivityType.id, ActivityType.name, ActivityType.kind,
                                  ActivityType.min_status, ActivityType.active)).all()
    return [(row_id, Offered(name, kind, min_status, active))
            for row_id, name, kind, min_status, active in rows]


def check_kinds(session: Session, *, target: Status, kinds: Sequence[ActivityKind]) -> str | None:
    """The reason `target` would be unreachable with these qualifying kinds and today's catalog."""
    return unreachable_reason((offered for _, offered in _catalog(session)), target, kinds)


def check_edit(session: Session, *, activity_id: int | None, after: Offered,
               kinds_by_status: dict[Status, Sequence[ActivityKind]]) -> tuple[Status, str] | None:
    """(status, reason) when saving `after` as activity `activity_id` (None: a new one) would make a
    status unreachable that is reachable now; None when the edit leaves every status as it was."""
    rows = _catalog(session)
    before = [offered for _, offered in rows]
    changed = [offered for row_id, offered in rows if row_id != activity_id] + [after]
    for target, kinds in kinds_by_status.items():
        if unreachable_reason(before, target, kinds) is None:
            reason = unreachable_reason(changed, target, kinds)
            if reason is not None:
                return target, reason
    return None
