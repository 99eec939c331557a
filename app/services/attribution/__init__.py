"""Attribution (SPEC §14): the CRM's opportunities and the references, content items and referrals
that influenced them (opportunities); which content ids exist (content, the one seam to the library)."""

from app.services.attribution.content import unknown_content_ids
from app.services.attribution.opportunities import (
    MAX_AMOUNT,
    MAX_LINKS,
    OpportunityFields,
    links_of,
    record_opportunity,
)

__all__ = ["MAX_AMOUNT", "MAX_LINKS", "OpportunityFields", "links_of", "record_opportunity",
           "unknown_content_ids"]
