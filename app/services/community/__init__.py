"""Community: embedded leaderboards shown on other sites."""

from app.services.community.embeds import (
    EmbedRow,
    EmbedSpec,
    clean_origin,
    create_embed,
    embed_for_token,
    embed_rows,
    list_embeds,
    revoke_embed,
    revoke_embed_named,
    rows_etag,
    token_for,
)
from app.services.community.limits import EmbedLimiter

__all__ = [
    "EmbedLimiter", "EmbedRow", "EmbedSpec", "clean_origin", "create_embed", "embed_for_token", "embed_rows",
    "list_embeds", "revoke_embed", "revoke_embed_named", "rows_etag", "token_for",
]
