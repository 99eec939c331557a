"""The content library for machines: usable items (approved and consented) by id; a write key may ask
for every item (`include=all`), whatever its state or consent."""

from app.api.auth import caller
from app.api.inputs import Query
from app.api.operations import LIST_CODES, Listing, route
from app.api.pagination import page_args
from app.api.representations import When, when
from app.api.shapes import Representation, one_of
from app.extensions import db
from app.models import ApiKey, ApiScope, ContentKind, ContentState, ContentUse
from app.services.api import keys as api_keys
from app.services.api import listings
from app.services.content import Filters
from app.services.errors import ValidationFailed


class ContentConsents(Representation):
    """Whether the author agreed to each use now (the feed and embeds count as website)."""

    website: bool
    sales: bool
    social: bool


class ContentItem(Representation):
    id: int
    kind: one_of(ContentKind)
    state: one_of(ContentState)
    title: str
    text: str
    link: str | None
    rating: int | None
    platform: str | None
    advocate_id: int | None
    author: str
    company: str
    segment: str
    industry: str
    use_case: str
    outcome: str
    consents: ContentConsents
    author_approved_at: When
    published_at: When
    created_at: When

    @classmethod
    def of(cls, listed) -> "ContentItem":
        i, c = listed.item, listed.consents
        return cls(id=i.id, kind=i.kind.value, state=i.state.value, title=i.title, text=i.text, link=i.link,
                   rating=i.rating, platform=i.platform, advocate_id=i.advocate_id, author=i.author,
                   company=i.author_company, segment=i.segment, industry=i.industry, use_case=i.use_case,
                   outcome=i.outcome, consents=ContentConsents(**{use.value: c[use] for use in c}),
                   author_approved_at=when(i.author_approved_at), published_at=when(i.published_at),
                   created_at=when(i.created_at))


KIND, STATE = Query.choice("kind", ContentKind), Query.choice("state", ContentState)
USE = Query.choice("use", ContentUse)
Q = Query.text("q", "words in the text, title, author or company")
TAGS = tuple(Query.text(tag, f"exact {tag.replace('_', ' ')} tag")
             for tag in ("segment", "industry", "use_case", "outcome"))
INCLUDE = Query.text("include", "`all`: every item whatever its state and consent (needs a write key)")


@route("/content", get=Listing(
    "Content items, by id", ContentItem, (KIND, STATE, USE, Q, *TAGS, INCLUDE),
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
