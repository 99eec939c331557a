"""Every model, imported so that metadata (and Alembic autogenerate) sees them all."""

from app.models.api import ApiKey, ApiRequestCount, ApiScope, IdempotencyRecord
from app.models.asks import Ask, AskPush, AskReason, AskState, FollowUp
from app.models.attribution import InfluenceKind, Opportunity, OpportunityLink, OpportunityStage
from app.models.audit import AccountEvent, EventKind, EventSource
from app.models.auth import LoginSession, LoginThrottle, PasswordReset
from app.models.badges import BadgeAssertion
from app.models.base import Status
from app.models.catalog import ActivityKind, ActivityType, Effort, Evidence, RewardTierBand, Value
from app.models.community import Embed, EmbedNames, EmbedPeriod, EmbedTheme, FeedItem
from app.models.content import ContentConsent, ContentItem, ContentKind, ContentState, ContentUse
from app.models.ledger import LedgerEntry, LedgerReason, PeriodTotal
from app.models.missions import Attempt, AttemptState, AttemptTransition, Mission
from app.models.ops import JobLock, JobRun, Notification, OutboxMessage, ProgramSetting
from app.models.people import (
    Advocate,
    AdvocateState,
    AskFrequency,
    Invite,
    StaffRole,
    StaffUser,
)
from app.models.references import (
    ReferenceAsk,
    ReferenceAskState,
    ReferenceFeedback,
    ReferenceProfile,
    ReferenceRequest,
    ReferenceRequestState,
)
from app.models.referrals import (
    Referral,
    ReferralClick,
    ReferralCode,
    ReferralState,
    ReferralTransition,
    RejectionReason,
)
from app.models.rewards import Redemption, RedemptionState, Reward, RewardKind
from app.models.signals import CustomerSignal
from app.models.status import StatusChange
from app.models.triggers import TriggerEvent, TriggerEventType, TriggerOutcome, TriggerRule
from app.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ContentConsent",
    "ContentItem",
    "ContentKind",
    "ContentState",
    "ContentUse",
    "InfluenceKind",
    "Opportunity",
    "OpportunityLink",
    "OpportunityStage",
    "ReferenceAsk",
    "ReferenceAskState",
    "ReferenceFeedback",
    "ReferenceProfile",
    "ReferenceRequest",
    "ReferenceRequestState",
    "BadgeAssertion",
    "Embed",
    "EmbedNames",
    "EmbedPeriod",
    "EmbedTheme",
    "FeedItem",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "AccountEvent",
    "EventKind",
    "EventSource",
    "ApiKey",
    "ApiRequestCount",
    "ApiScope",
    "IdempotencyRecord",
    "Ask",
    "AskPush",
    "AskReason",
    "AskState",
    "ActivityKind",
    "ActivityType",
    "Advocate",
    "AdvocateState",
    "AskFrequency",
    "Attempt",
    "CustomerSignal",
    "AttemptState",
    "AttemptTransition",
    "Effort",
    "Evidence",
    "FollowUp",
    "Invite",
    "JobLock",
    "JobRun",
    "LedgerEntry",
    "LedgerReason",
    "LoginSession",
    "LoginThrottle",
    "Mission",
    "PasswordReset",
    "Redemption",
    "RedemptionState",
    "Reward",
    "RewardKind",
    "Notification",
    "OutboxMessage",
    "PeriodTotal",
    "ProgramSetting",
    "Referral",
    "ReferralClick",
    "ReferralCode",
    "ReferralState",
    "ReferralTransition",
    "RejectionReason",
    "RewardTierBand",
    "StaffRole",
    "StaffUser",
    "Status",
    "StatusChange",
    "TriggerEvent",
    "TriggerEventType",
    "TriggerOutcome",
    "TriggerRule",
    "Value",
]
