"""Asks (SPEC §6): every request made of an advocate goes through the governor here. Callers use
the verbs below: decide whether an advocate may be asked now (rules), push a mission to a segment
or ask one advocate (pushes), run the queue's jobs (queue), and read what staff see (display)."""

from app.services.asks.display import (
    REASON_LABELS,
    PushRow,
    PushSummary,
    advocate_asks,
    ask_detail,
    ask_label,
    push_summary,
    pushes_for_mission,
    queue_page,
)
from app.services.asks.pushes import (
    LIVE,
    PRIORITY_RANGE,
    SegmentFilters,
    ask_one,
    preview_count,
    push_mission,
    segment_options,
)
from app.services.asks.queue import drop_ask, drop_closed, lock_advocates, release_queued
from app.services.asks.rules import Decision, decide, decide_many

__all__ = [
    "LIVE", "PRIORITY_RANGE", "REASON_LABELS", "Decision", "PushRow", "PushSummary", "SegmentFilters",
    "advocate_asks", "ask_detail", "ask_label", "ask_one", "decide", "decide_many", "drop_ask", "drop_closed",
    "lock_advocates", "preview_count", "push_mission", "push_summary", "pushes_for_mission", "queue_page",
    "release_queued", "segment_options",
]
