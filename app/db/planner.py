"""A hint for SQLite's query planner, which has no ANALYZE statistics to go on.

Without statistics SQLite assumes an equality on an indexed column matches about ten rows, so for
`WHERE id IN (:ids) AND state = :s` (or `advocate_id IN (…) AND state = …`) it prefers an index that
starts with `state` over the id list, and reads every row in that state once per batch: at
100,000 due attempts the expiry sweep spent two thirds of its time so. Wrapping the column in
`coalesce(column, column)`, which no index covers, leaves the id list as the only way in. The
condition means the same (NULL stays NULL); PostgreSQL plans from its statistics either way.
"""

from sqlalchemy import func


def unindexed(column):
    """`column` as an expression no index is chosen for (for the second condition of a batch)."""
    return func.coalesce(column, column)
