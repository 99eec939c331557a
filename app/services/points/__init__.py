"""Points: the append-only ledger, status tiers, period totals and leaderboards."""

from app.services.points import celebrations
from app.services.points.leaderboards import Board, Row, board, rank_all_time
from app.services.points.ledger import adjust, entries_for, post_entry, verify
from app.services.points.period_totals import is_stale, rebuild_if_stale
from app.services.points.status import (
    history,
    ladder,
    progress,
    promote_due,
    requirements_for,
    set_status,
    threshold,
)

__all__ = [
    "celebrations", "Board", "Row", "board", "rank_all_time",
    "adjust", "entries_for", "post_entry", "verify", "is_stale",
    "rebuild_if_stale", "history", "ladder", "progress", "promote_due", "requirements_for", "set_status",
    "threshold"
]
