"""Community: embedded leaderboards and community feeds shown on other sites."""

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

__all__ = [
    "EmbedRow", "EmbedSpec", "FeedRow", "clean_origin", "create_embed", "embed_for_token", "embed_rows",
    "feed_rows", "list_embeds",
    "revoke_embed", "revoke_embed_named", "rows_etag", "token_for",
]
