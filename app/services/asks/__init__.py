"""Asks (SPEC §6): every request made of an advocate goes through the governor here. Callers use
the verbs below: decide whether an advocate may be asked now, push a mission to a segment or ask
one advocate, run the queue's jobs, and read what staff and advocates see of it."""

from app.services.asks.rules import (
    LIVE,
    PRIORITY_RANGE,
    REASON_LABELS,
    Decision,
    PushRow,
    PushSummary,
    SegmentFilters,
    advocate_asks,
    ask_detail,
    ask_label,
    ask_one,
    decide,
    decide_many,
    drop_ask,
    drop_closed,
    lock_advocates,
    preview_count,
    push_mission,
    push_summary,
    pushes_for_mission,
    queue_page,
    release_queued,
    segment_options,
)

__all__ = [
    "LIVE", "PRIORITY_RANGE", "REASON_LABELS", "Decision", "PushRow", "PushSummary", "SegmentFilters",
    "advocate_asks", "ask_detail", "ask_label", "ask_one", "decide", "decide_many", "drop_ask", "drop_closed",
    "lock_advocates", "preview_count", "push_mission", "push_summary", "pushes_for_mission", "queue_page",
    "release_queued", "segment_options",
]
