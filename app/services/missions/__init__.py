"""Missions: the activity catalog, who may start what, attempts, evidence, audiences and the clockwork
sweeps."""

from app.services.missions.attempts import (
    Actor,
    EvidenceInput,
    approval_queue,
    approve_attempt,
    attempts_for,
    can_submit,
    decline_mission,
    expire_attempt,
    get_own_attempt,
    record_submission,
    reject_attempt,
    start_mission,
    submit_attempt,
    transition,
)
from app.services.missions.audiences import (
    AudienceCount,
    count,
    held_query,
    held_values,
    preview,
    resolve,
    unmatched,
    value_counts,
)
from app.services.missions.catalog import (
    ActivityValues,
    Audience,
    MissionValues,
    activities,
    audience_emails,
    bands,
    get_activity,
    get_mission,
    missions,
    save_activity,
    save_band,
    save_mission,
    set_mission_archived,
)
from app.services.missions.default_catalog import ActivitySeed, load_catalog
from app.services.missions.eligibility import (
    MissionOffer,
    check,
    in_audience,
    matches_audience,
    offers_for,
    required_status,
)
from app.services.missions.evidence import clean_filename, discard, is_token, path_for, store, validate
from app.services.missions.queue import (
    IMAGE_TYPES,
    BulkResult,
    QueueFilters,
    QueuePage,
    QueueRow,
    bulk_decide,
    queue_page,
)
from app.services.missions.scoring import points_for_mission
from app.services.missions.sweeps import (
    escalate_to_csm,
    escalate_waiting_approvals,
    expire_due_attempts,
    remind_after_start,
    remind_before_deadline,
)

__all__ = [
    "Actor", "EvidenceInput", "approval_queue", "approve_attempt", "attempts_for", "can_submit",
    "decline_mission", "expire_attempt", "get_own_attempt", "record_submission", "reject_attempt",
    "start_mission", "submit_attempt", "transition", "AudienceCount", "count", "held_query",
    "held_values", "preview", "resolve", "unmatched", "value_counts", "ActivityValues", "Audience",
    "MissionValues", "activities", "audience_emails", "bands", "get_activity", "get_mission", "missions",
    "save_activity", "save_band", "save_mission", "set_mission_archived", "ActivitySeed", "load_catalog",
    "MissionOffer", "check", "in_audience", "matches_audience", "offers_for", "required_status",
    "clean_filename", "discard", "is_token", "path_for", "store", "validate", "points_for_mission",
    "IMAGE_TYPES", "BulkResult", "QueueFilters", "QueuePage", "QueueRow", "bulk_decide", "queue_page",
    "escalate_to_csm", "escalate_waiting_approvals", "expire_due_attempts", "remind_after_start",
    "remind_before_deadline"
]
