"""Rewards: the catalog, redemptions against points and stock, and fulfilment."""

from app.services.rewards.redemptions import (
    OPEN,
    Offer,
    RewardValues,
    approve,
    cancel,
    catalog,
    fulfil,
    get_own_redemption,
    get_reward,
    offers_for,
    queue,
    redeem,
    redeemed_counts,
    redemptions_of,
    reject,
    save_reward,
    state_counts,
)

__all__ = [
    "OPEN", "Offer", "RewardValues", "approve", "cancel", "catalog", "fulfil", "get_own_redemption",
    "get_reward", "offers_for", "queue", "redeem", "redeemed_counts", "redemptions_of", "reject",
    "save_reward", "state_counts"
]
