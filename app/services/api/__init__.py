"""The JSON API's rules: keys, the rate limit, idempotency and keyset listings."""

from app.services.api.idempotency import Claim, claim, purge_expired, record, request_hash
from app.services.api.keys import (
    active_keys_named,
    authenticate,
    create_key,
    hash_secret,
    list_keys,
    note_use,
    purge_request_counts,
    require_scope,
    revoke_key,
    revoke_key_named,
)
from app.services.api.listings import (
    Page,
    activities,
    advocates,
    attempts,
    ledger,
    missions,
    redemptions,
    referrals,
    rewards,
)
from app.services.api.rate import purge, refusal, take

__all__ = [
    "Claim", "claim", "purge_expired", "record", "request_hash", "active_keys_named", "authenticate",
    "create_key", "hash_secret", "list_keys", "note_use", "purge_request_counts", "require_scope",
    "revoke_key", "revoke_key_named", "Page", "activities", "advocates", "attempts", "ledger", "missions",
    "redemptions", "referrals", "rewards", "purge", "refusal", "take"
]
