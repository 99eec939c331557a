"""Program settings: every tunable number has a code default an admin can override in the database."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ActivityKind, ProgramSetting, Status
from app.services.errors import ValidationFailed
from app.services.program import brand, status_rules

DEFAULTS: dict[str, object] = {
    "program_name": "Rallypoint",
    # The brand (services/program/brand.py, services/branding): "" is the stock look.
    "brand_color": "",
    "brand_logo": "",  # the stored file's token (missions.evidence storage, folder "brand")
    "brand_favicon": "",
    "welcome_text": ("Thanks for being one of our advocates. Take on a mission, earn points, and trade "
                     "them for rewards."),
    "timezone": "UTC",
    "currency": "USD",  # ISO 4217 code the program's money figures are shown in
    "silver_points": 1000,
    "gold_points": 3000,
    "platinum_points": 7500,
    "platinum_gold_months": 6,
    # The activity kinds whose approval Silver and Gold ask for (SPEC §5; services/program/status_rules.py).
    **{key: list(status_rules.DEFAULT_KINDS[target]) for target, key in status_rules.KIND_SETTINGS.items()},
    "evidence_max_mb": 5,
    "leaderboard_size": 50,
    # The activity kinds whose approved missions the community feed shows (services/feed).
    "feed_public_kinds": ["review", "case_study", "webinar", "referral", "speaking", "social_post"],
    "perks_bronze": "Welcome swag and recognition in the community",
    "perks_silver": "Early access to new features and premium support",
    "perks_gold": "Advisory access and VIP treatment at our events",
    "perks_platinum": "Executive access and co-marketing opportunities",
    "reminder_after_start_hours": 48,
    "reminder_before_deadline_hours": 48,
    "escalate_csm_days_before": 2,
    "escalate_approval_days": 3,
    "ask_gap_days_standard": 60,
    "ask_year_cap_standard": 4,
    "ask_gap_days_high": 14,
    "ask_year_cap_high": 12,
    "ask_min_nps": 7,
    "reengage_first_days": 30,
    "reengage_second_days": 60,
    "reengage_third_days": 90,
    "trigger_followup_hours": 48,
    "referral_referrer_offer": "400 points when your friend qualifies, 1,000 more when they buy",
    "referral_friend_offer": "15% off your first year",
    "referral_qualified_points": 400,
    "referral_converted_points": 1000,
    "referral_burst_per_hour": 5,
    # The reference program (services/references): who may be matched and how long an ask waits.
    "reference_min_status": "silver",
    "reference_quarter_cap": 2,
    "reference_answer_days": 5,
    # Attribution and ROI (services/analytics/attribution.py): the currency every amount is in, and the
    # share of influenced (not referral-sourced) revenue counted as the program's lift in ROI.
    "influenced_lift_percent": 25,
    # Advocate identification (services/customers/readiness.py): score weights, the recovered-customer bonus
    # and the eligibility thresholds.
    **{f"score_weight_{signal}": weight for signal, weight in (
        ("nps", 20), ("usage", 15), ("health", 15), ("purchases", 10), ("recency", 5), ("csat", 10),
        ("tenure", 5), ("referrals", 10), ("social", 10))},
    "score_recovered_bonus": 10,
    "eligible_min_nps": 9,
    "eligible_min_health": 70,
    "eligible_min_tenure_months": 3,
    "eligible_active_days": 30,
}

WELCOME_MAX = 600
BRAND_KEYS = ("brand_color", "brand_logo", "brand_favicon", "welcome_text")  # edited on Admin → Brand
SCORE_WEIGHTS = tuple(key for key in DEFAULTS if key.startswith("score_weight_"))

INT_BOUNDS = {
    "silver_points": (1, 10_000_000),
    "gold_points": (1, 10_000_000),
    "platinum_points": (1, 10_000_000),
    "platinum_gold_months": (0, 120),
    "evidence_max_mb": (1, 10),
    "leaderboard_size": (5, 500),
    "reminder_after_start_hours": (1, 24 * 60),
    "reminder_before_deadline_hours": (1, 24 * 60),
    "escalate_csm_days_before": (0, 60),
    "escalate_approval_days": (1, 60),
    "ask_gap_days_standard": (0, 365),
    "ask_year_cap_standard": (1, 52),
    "ask_gap_days_high": (0, 365),
    "ask_year_cap_high": (1, 52),
    "ask_min_nps": (0, 10),
    "reengage_first_days": (1, 365),
    "reengage_second_days": (1, 365),
    "reengage_third_days": (1, 730),
    "trigger_followup_hours": (1, 24 * 30),
    "referral_qualified_points": (1, 1_000_000),
    "referral_converted_points": (1, 1_000_000),
    "referral_burst_per_hour": (1, 1000),
    "reference_quarter_cap": (1, 52),
    "reference_answer_days": (1, 60),
    "influenced_lift_percent": (0, 100),
    **{key: (0, 100) for key in SCORE_WEIGHTS},
    "score_recovered_bonus": (0, 50),
    "eligible_min_nps": (0, 10),
    "eligible_min_health": (0, 100),
    "eligible_min_tenure_months": (0, 120),
    "eligible_active_days": (1, 365),
}


@dataclass(frozen=True)
class ProgramSettings:
    values: dict

    def __getattr__(self, name: str):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


_SETTINGS = ProgramSetting.__table__
_READ_ALL = select(_SETTINGS.c.key, _SETTINGS.c.value)


def load(session: Session) -> ProgramSettings:
    """Defaults overlaid with whatever the admins have saved."""
    values = dict(DEFAULTS)
    for key, value in session.execute(_READ_ALL):
        if key in DEFAULTS:
            values[key] = value
    return ProgramSettings(values)


# Not an admin setting: the timezone the leaderboard buckets follow, "" while they need a rebuild
# (services/points/period_totals.py). `load` ignores it; no row means the timezone never changed.
BUCKETS_TIMEZONE = "period_totals_timezone"


def save(session: Session, *, changes: dict, actor_id: int | None, now: datetime) -> ProgramSettings:
    """Validate and store changed settings. Raises ValidationFailed naming the offending field.

    A new timezone marks the week and month buckets for a rebuild (the rebuild_period_totals job)."""
    current = load(session).values
    merged = {**current, **changes}
    _validate(merged)
    _check_reachable(session, current, merged)
    if "brand_color" in changes:  # stored as normalized by the check (#rrggbb)
        changes = {**changes, "brand_color": merged["brand_color"]}
    for target, key in status_rules.KIND_SETTINGS.items():
        if key in changes:  # stored once each, in catalog order
            changes = {**changes, key: [kind.value for kind in status_rules.kinds_of(merged, target)]}
    if merged["timezone"] != current["timezone"]:
        changes = {**changes, BUCKETS_TIMEZONE: ""}
    for key, value in changes.items():
        row = session.get(ProgramSetting, key) or ProgramSetting(key=key)
        row.value, row.updated_at, row.updated_by_id = value, now, actor_id
        session.add(row)
    session.flush()
    return ProgramSettings(merged)


def _validate(values: dict) -> None:
    _validate_numbers(values)
    _validate_kinds(values)
    if not values["silver_points"] < values["gold_points"] < values["platinum_points"]:
        raise ValidationFailed("Thresholds must rise: Silver < Gold < Platinum.", field="gold_points")
    if not values["reengage_first_days"] < values["reengage_second_days"] < values["reengage_third_days"]:
        raise ValidationFailed("Re-engagement days must rise: first < second < third.",
                               field="reengage_second_days")
    if not any(values[key] for key in SCORE_WEIGHTS):
        raise ValidationFailed("Give at least one signal a weight above 0.", field=SCORE_WEIGHTS[0])
    for key in ("referral_referrer_offer", "referral_friend_offer"):
        if not str(values[key]).strip():
            raise ValidationFailed("Describe the offer; the referral page shows it.", field=key)
    if values["reference_min_status"] not in {status.value for status in Status}:
        raise ValidationFailed("Choose a status.", field="reference_min_status")
    if not is_currency_code(values["currency"]):
        raise ValidationFailed("Enter a three-letter ISO 4217 currency code, such as USD or EUR.",
                               field="currency")
    _validate_brand(values)
    if values["timezone"] not in available_timezones():
        raise ValidationFailed("Unknown timezone (use an IANA name such as Europe/Berlin).", field="timezone")


def _validate_brand(values: dict) -> None:
    values["brand_color"] = brand.check_color(values["brand_color"])
    if not isinstance(values["welcome_text"], str) or len(values["welcome_text"]) > WELCOME_MAX:
        raise ValidationFailed(f"Keep the welcome text to {WELCOME_MAX} characters.", field="welcome_text")
    for key in ("brand_logo", "brand_favicon"):
        token = values[key]
        if not isinstance(token, str) or (token and not re.fullmatch(r"[0-9a-f]{32}", token)):
            raise ValidationFailed("That is not a stored image.", field=key)


def is_currency_code(value) -> bool:
    """Three upper-case ASCII letters (ISO 4217's shape; the code list itself is not checked)."""
    return (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isalpha()
            and value.isupper())


def _validate_kinds(values: dict) -> None:
    known = {kind.value for kind in ActivityKind}
    for target, key in status_rules.KIND_SETTINGS.items():
        kinds = values[key]
        if not isinstance(kinds, list) or not kinds:
            raise ValidationFailed(f"Choose at least one kind of activity that qualifies for {target.label}.",
                                   field=key)
        unknown = [kind for kind in kinds if kind not in known]
        if unknown:
            raise ValidationFailed(f"Unknown activity kind {unknown[0]!r}.", field=key)
    feed_kinds = values["feed_public_kinds"]
    if not isinstance(feed_kinds, list) or any(kind not in known for kind in feed_kinds):
        raise ValidationFailed("Choose kinds of activity from the list.", field="feed_public_kinds")


def _check_reachable(session: Session, current: dict, merged: dict) -> None:
    """Refuse new qualifying kinds that no active activity below the status offers (SPEC §5)."""
    for target, key in status_rules.KIND_SETTINGS.items():
        if sorted(merged[key]) == sorted(current[key]):
            continue
        reason = status_rules.check_kinds(session, target=target,
                                          kinds=status_rules.kinds_of(merged, target))
        if reason is not None:
            raise ValidationFailed(f"{reason} Choose other kinds, or change the catalog first.", field=key)


def out_of_reach(session: Session, cfg: "ProgramSettings") -> dict[str, str]:
    """Setting key -> why its status cannot be reached with today's catalog (e.g. a program whose
    catalog lost its last qualifying activity before this check existed); empty when all can."""
    found = {}
    for target, key in status_rules.KIND_SETTINGS.items():
        reason = status_rules.check_kinds(session, target=target, kinds=kinds_for(cfg, target))
        if reason is not None:
            found[key] = reason
    return found


def kinds_for(cfg: "ProgramSettings", target: Status) -> tuple[ActivityKind, ...]:
    """The qualifying activity kinds of `target` (empty for Bronze and Platinum)."""
    return status_rules.kinds_of(cfg.values, target)


def _validate_numbers(values: dict) -> None:
    for key in values:
        if key not in DEFAULTS:
            raise ValidationFailed(f"Unknown setting {key}.", field=key)
    for key, (low, high) in INT_BOUNDS.items():
        value = values[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationFailed(f"Must be a whole number from {low} to {high}.", field=key)
