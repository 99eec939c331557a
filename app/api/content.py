"""The content library for machines: usable items (approved and consented) by id; a write key may ask
for every item (`include=all`), whatever its state or consent."""

from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import Query
from app.api.operations import LIST_CODES, Listing, route
from app.api.pagination import page_args
from app.extensions import db
from app.models import ApiKey, ApiScope, ContentKind, ContentState, ContentUse
from app.services.api import keys as api_keys
from app.services.api import listings
from app.services.content import Filters
from app.services.errors import ValidationFailed

KIND, STATE = Query.choice("kind", ContentKind), Query.choice("state", ContentState)
USE = Query.choice("use", ContentUse)
Q = Query.text("q", "words in the text, title, author or company")
TAGS = tuple(Query.text(tag, f"exact {tag.replace('_', ' ')} tag")
             for tag in ("segment", "industry", "use_case", "outcome"))
INCLUDE = Query.text("include", "`all`: every item whatever its state and consent (needs a write key)")


@route("/content", get=Listing(
    "Content items, by id", rep.ContentItem, (KIND, STATE, USE, Q, *TAGS, INCLUDE),
    codes=(*LIST_CODES, "403"),
    description="Only items approved and consented now are listed: for `use` when given, else for at least "
                "one use. The community feed and its embeds count as the website use. Withdrawn consent "
                "takes an item out of this list at once."))
def content_list():
    after, limit = page_args()
    include = INCLUDE.value()
    if include not in (None, "", "all"):
        raise ValidationFailed("include is `all` or absent.", field="include")
    everything = include == "all"
    if everything:
        api_keys.require_scope(db.session.get(ApiKey, caller().key_id), ApiScope.WRITE)
    filters = Filters(q=Q.value() or "", kind=KIND.value(), state=STATE.value(),
                      tags={query.name: query.value() or "" for query in TAGS})
    return listings.content_items(db.session, after=after, limit=limit, filters=filters, use=USE.value(),
                                  everything=everything)
