"""Mission audiences seen from the advocates' side: the values advocates hold, and how many advocates
an audience reaches.

The count applies eligibility's own audience rule (`eligibility.audience_condition`, the SQL form of
`in_audience`) and the mission's status floor, in one query. An audience is the stored mission
shape (`Mission.audience`); `resolve` turns the form's values into it without raising for an
unknown email, so a count can be shown while the form still has mistakes in it.
"""

from dataclasses import dataclass, field, replace

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models import ActivityType, Advocate, AdvocateState, Status
from app.services.missions import catalog, eligibility

# Audience keys whose values come from advocates' own columns, in the order the form shows them.
VALUE_KEYS = ("industries", "regions", "tags")
_COLUMNS = {"industries": Advocate.industry, "regions": Advocate.region}
_TAGS_SQL = {
    "postgresql": "SELECT t.value, count(*) FROM advocate, json_array_elements_text(advocate.tags) AS t "
                  "WHERE json_typeof(advocate.tags) = 'array' GROUP BY t.value",
    "sqlite": "SELECT j.value, count(*) FROM advocate, json_each(advocate.tags) AS j "
              "WHERE json_type(advocate.tags) = 'array' GROUP BY j.value",
}


@dataclass
class AudienceCount:
    matching: int  # in the audience, at or above the status floor, and not opted out
    active: int  # of those, active now: they can start the mission today
    unknown_emails: list[str] = field(default_factory=list)


def held_values(session: Session) -> dict[str, list[str]]:
    """The regions and industries some advocate holds, in the database's order, without counts: for
    filters and pickers on every page load (the leaderboard, the push form)."""
    return {key: list(session.scalars(query)) for key, query in _HELD.items()}


def held_query(column):
    """Each non-empty value of an indexed advocate column: a loose index scan (the smallest value,
    then the smallest above it, and so on), one index seek per value instead of a pass over every
    advocate. The same recursive query on SQLite and PostgreSQL (tests/services/missions/test_audiences.py
    checks both plans use the index)."""
    found = select(func.min(column).label("value")).where(column > "").cte("held", recursive=True)
    following = select(func.min(column)).where(column > found.c.value).scalar_subquery()
    found = found.union_all(select(following).where(found.c.value.is_not(None)))
    return select(found.c.value).where(found.c.value.is_not(None))


# Built once: a statement holds no data, and building this one (and its cache key, which SQLAlchemy
# keeps on the statement) costs more than running it.
_HELD = {"regions": held_query(Advocate.region), "industries": held_query(Advocate.industry)}


def value_counts(session: Session) -> dict[str, dict[str, int]]:
    """Each industry, region and tag some advocate holds, with how many advocates hold it.

    One GROUP BY per kind (three queries), called once per page, never per keystroke."""
    counts: dict[str, dict[str, int]] = {}
    for key, column in _COLUMNS.items():
        rows = session.execute(select(column, func.count()).where(column != "").group_by(column))
        counts[key] = dict(sorted(rows.all(), key=_by_value))
    sql = _TAGS_SQL["postgresql" if _dialect(session) == "postgresql" else "sqlite"]
    tags = ((str(v), n) for v, n in session.execute(text(sql)).all() if v)
    counts["tags"] = dict(sorted(tags, key=_by_value))
    return counts


def unmatched(audience: dict, counts: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    """The industries, regions and tags of `audience` that no advocate holds, by key."""
    found = {key: [v for v in audience.get(key) or [] if v not in counts.get(key, {})] for key in VALUE_KEYS}
    return {key: values for key, values in found.items() if values}


def resolve(session: Session, audience: catalog.Audience) -> tuple[dict, list[str]]:
    """The stored audience for these form values, and the named emails that match no advocate
    (left out of the stored shape). Raises ValidationFailed only for a readiness tier outside 1-3."""
    wanted = list(dict.fromkeys(e.strip().lower() for e in audience.advocate_emails if e.strip()))
    found = dict(session.execute(select(Advocate.email, Advocate.id).where(Advocate.email.in_(wanted))).all()
                 ) if wanted else {}
    stored = catalog.audience_json(session, replace(audience, advocate_emails=[]))
    ids = [found[e] for e in wanted if e in found]
    if ids:
        stored["advocate_ids"] = ids
    return stored, [e for e in wanted if e not in found]


def count(session: Session, *, audience: dict, activity_min: Status = Status.BRONZE) -> AudienceCount:
    """How many advocates a mission with this audience (and activity minimum) is offered to.

    The same rule as `eligibility.in_audience` plus the status floor of `eligibility.required_status`,
    counted in SQL; opted-out advocates are left out (they see nothing)."""
    needed = eligibility.status_floor(activity_min, audience)
    rows = session.execute(
        select(Advocate.state, func.count())
        .where(eligibility.audience_condition(audience, dialect=_dialect(session)),
               eligibility.status_condition(needed), Advocate.state != AdvocateState.OPTED_OUT)
        .group_by(Advocate.state)).all()
    by_state = dict(rows)
    return AudienceCount(matching=sum(by_state.values()), active=by_state.get(AdvocateState.ACTIVE, 0))


def preview(session: Session, *, audience: catalog.Audience, activity_id: int | None) -> AudienceCount:
    """The count for a form's audience values and chosen activity, with the named emails that match
    no advocate (an unknown activity counts with no minimum of its own)."""
    stored, unknown = resolve(session, audience)
    activity = session.get(ActivityType, activity_id) if activity_id else None
    result = count(session, audience=stored, activity_min=activity.min_status if activity else Status.BRONZE)
    result.unknown_emails = unknown
    return result


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _by_value(pair: tuple[str, int]) -> tuple[str, str]:
    return pair[0].casefold(), pair[0]
