"""The community feed: achievements (promotions, badges, approved missions of public kinds, published
testimonials) written in the transaction of the change, shown newest first with read-time anonymity.

A package of its own, low in the import graph (models and program settings only): points, missions and
badges write to it, and community (embeds, which reads points' leaderboards) reads from it, so none of
them imports another in a circle."""

from app.services.feed.items import (
    ANONYMOUS,
    Entry,
    Page,
    hide,
    page,
    record,
    record_approved_attempt,
    retract,
    unhide,
)

__all__ = ["ANONYMOUS", "Entry", "Page", "hide", "page", "record", "record_approved_attempt", "retract",
           "unhide"]
