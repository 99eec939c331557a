"""Community: embedded leaderboards and community feeds shown on other sites, and the weekly Slack post."""

from app.services.community.embeds import (
    EmbedRow,
    EmbedSpec,
    FeedRow,
    clean_origin,
    create_embed,
    embed_for_token,
    embed_rows,
    feed_rows,
    list_embeds,
    revoke_embed,
    revoke_embed_named,
    rows_etag,
    token_for,
)
from app.services.community.limits import EmbedLimiter
from app.services.community.slack import (
    SlackSender,
    SlackSettings,
    accepted,
    check_slack_url,
    describe,
    load_settings,
    post,
    save_settings,
    sender,
    test_post,
)
from app.services.community.slack_weekly import enqueue_weekly, weekly_payload

__all__ = [
    "EmbedLimiter", "EmbedRow", "EmbedSpec", "FeedRow", "clean_origin", "create_embed", "embed_for_token",
    "embed_rows", "feed_rows", "list_embeds", "revoke_embed", "revoke_embed_named", "rows_etag", "token_for",
    "SlackSender", "SlackSettings", "accepted", "check_slack_url", "describe", "load_settings", "post",
    "save_settings", "sender", "test_post", "enqueue_weekly", "weekly_payload",
]
