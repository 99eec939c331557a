"""How each object looks in the API. Times are UTC, ISO 8601 with a Z."""

from datetime import date, datetime


def when(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.replace(microsecond=0).isoformat() + "Z"
    return moment.isoformat()


def advocate(a) -> dict:
    return {
        "id": a.id, "email": a.email, "external_id": a.external_id, "name": a.name, "company": a.company,
        "title": a.title, "industry": a.industry, "region": a.region, "tags": a.tags or [],
        "state": a.state.value, "status": a.status.value, "readiness": a.readiness_tier,
        "balance": a.balance, "lifetime_points": a.lifetime_points, "nps": a.nps,
        "health_score": a.health_score, "owner_id": a.owner_id, "ask_frequency": a.ask_frequency.value,
        "created_at": when(a.created_at),
    }


def import_report(report) -> dict:
    """An ImportReport: how many records were created, updated and unchanged; each rejected row's reasons."""
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "rejected": [{"line": r.line, "key": r.key, "reasons": [p.message for p in r.problems]}
                         for r in report.rejected]}


def ledger_entry(e) -> dict:
    return {
        "id": e.id, "advocate_id": e.advocate_id, "amount": e.amount, "reason": e.reason.value,
        "source_type": e.source_type, "source_id": e.source_id, "note": e.note,
        "actor_id": e.actor_id, "created_at": when(e.created_at),
    }


def activity(a) -> dict:
    return {
        "id": a.id, "key": a.key, "name": a.name, "description": a.description, "kind": a.kind.value,
        "effort": a.effort.value, "value": a.value.value, "reward_tier": a.reward_tier.name,
        "points": a.reward_tier.points, "cooldown_days": a.cooldown_days, "min_status": a.min_status.value,
        "expires_after_days": a.expires_after_days, "evidence": a.evidence.value,
        "requires_approval": a.requires_approval, "counts_as_ask": a.counts_as_ask, "active": a.active,
    }


def mission(m) -> dict:
    return {
        "id": m.id, "title": m.title, "instructions": m.instructions, "activity_id": m.activity_id,
        "activity_key": m.activity.key, "audience": m.audience or {}, "opens_at": when(m.opens_at),
        "closes_at": when(m.closes_at), "completion_limit": m.completion_limit,
        "completed_count": m.completed_count, "points_override": m.points_override, "archived": m.archived,
    }


def attempt(a) -> dict:
    return {
        "id": a.id, "mission_id": a.mission_id, "advocate_id": a.advocate_id, "state": a.state.value,
        "started_at": when(a.started_at), "deadline_at": when(a.deadline_at),
        "submitted_at": when(a.submitted_at), "decided_at": when(a.decided_at),
        "decision_reason": a.decision_reason, "points_awarded": a.points_awarded,
        "evidence": {"link": a.evidence_link, "text": a.evidence_text, "file": a.evidence_file is not None},
    }


def referral(r) -> dict:
    return {
        "id": r.id, "referrer_id": r.referrer_id, "friend_name": r.friend_name,
        "friend_email": r.friend_email, "friend_company": r.friend_company, "state": r.state.value,
        "rejection_reason": r.rejection_reason.value if r.rejection_reason else None,
        "deal_amount": r.deal_amount, "created_at": when(r.created_at), "qualified_at": when(r.qualified_at),
        "converted_at": when(r.converted_at), "closed_at": when(r.closed_at),
    }


def reward(r) -> dict:
    return {
        "id": r.id, "name": r.name, "description": r.description, "kind": r.kind.value,
        "points_cost": r.points_cost, "stock": r.stock, "min_status": r.min_status.value,
        "requires_approval": r.requires_approval, "active": r.active,
    }


def redemption(r) -> dict:
    return {
        "id": r.id, "advocate_id": r.advocate_id, "reward_id": r.reward_id, "points": r.points,
        "state": r.state.value, "note": r.note, "reason": r.reason, "created_at": when(r.created_at),
        "decided_at": when(r.decided_at), "fulfilled_at": when(r.fulfilled_at),
        "closed_at": when(r.closed_at),
    }


def decision(d) -> dict:
    return {"askable": d.askable, "reason": d.reason.value if d.reason else None,
            "askable_at": when(d.askable_at), "detail": d.detail}


def board_row(row, anonymous: str) -> dict:
    hidden = row.name == anonymous
    return {"rank": row.rank, "advocate_id": None if hidden else row.advocate_id, "name": row.name,
            "company": row.company, "points": row.points}


def trigger_rule(r) -> dict:
    return {"id": r.id, "event_type": r.event_type.value, "min_value": r.min_value, "max_value": r.max_value,
            "activity_kind": r.activity_kind.value, "priority": r.priority, "enabled": r.enabled}


def trigger_ask(a) -> dict:
    return {"id": a.id, "state": a.state.value, "reason": a.reason.value if a.reason else None,
            "mission_id": a.mission_id, "activity_id": a.activity_id, "priority": a.priority,
            "queued_until": when(a.queued_until), "sent_at": when(a.sent_at)}


def trigger_event(result) -> dict:
    """An EventResult: the stored event and what came of it (the rule, the ask, one sentence)."""
    e = result.event
    return {
        "id": e.id, "type": e.type.value, "advocate_id": e.advocate_id, "occurred_at": when(e.occurred_at),
        "received_at": when(e.received_at), "data": e.data or {}, "source": e.source,
        "outcome": {"result": result.result, "message": result.summary,
                    "rule": trigger_rule(e.rule) if e.rule is not None else None,
                    "ask": trigger_ask(result.ask) if result.ask is not None else None},
    }
