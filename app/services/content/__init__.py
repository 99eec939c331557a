"""The content library (SPEC §12): items made from approved attempts or by staff, their publication
consent (a history per use), the case-study editor and its advocate approval, the CSV export and
publishing to the community feed. Only approved items consented for a use are exported or published
for it; the feed counts as the website use."""

from app.services.content.case_studies import STEPS, author_approve, next_step, save_step, send_for_approval
from app.services.content.consent import FEED_USE, current, history, is_usable, set_consent, unpublish
from app.services.content.export import to_csv
from app.services.content.items import (
    Filters,
    NewItem,
    archive,
    create,
    erase_author,
    for_advocate,
    from_attempt,
    get,
    library,
    publish,
    set_tags,
)

__all__ = ["FEED_USE", "STEPS", "Filters", "NewItem", "archive", "author_approve", "create", "current",
           "erase_author", "for_advocate", "from_attempt", "get", "history", "is_usable", "library",
           "next_step", "publish", "save_step", "send_for_approval", "set_consent", "set_tags", "to_csv",
           "unpublish"]
