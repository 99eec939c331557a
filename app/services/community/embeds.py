"""Embeds: a leaderboard or the community feed, made by marketing, shown on other sites through a
signed, read-only URL (what it shows is the embed's `kind`).

The URL's token is the embed's id signed with the app secret (itsdangerous), so a changed token
fails; it carries nothing else, and every request reads the row, so revoking the row (or its expiry
time passing) ends the URL.
Rows come from the leaderboards service, items from the feed service: whoever opted out or has not
joined shows as "Anonymous advocate" with no company (the feed leaves out who left and what staff
hid), and an embed never shows an email or an advocate id.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Embed, EmbedNames, EmbedPeriod, EmbedTheme, StaffUser
from app.services import feed
from app.services.errors import NotFound, ValidationFailed
from app.services.points import leaderboards

SALT = "embed-v1"
MAX_ROWS = 100
KINDS = ("leaderboard", "feed")
BOARD_OF = {EmbedPeriod.WEEK: "week", EmbedPeriod.MONTH: "month", EmbedPeriod.ALL_TIME: "all"}


@dataclass
class EmbedSpec:
    """What marketing chooses for an embed (the form's or the CLI's values)."""

    name: str
    period: str
    rows: int = 10
    theme: str = "light"
    names: str = "full"
    region: str | None = None
    industry: str | None = None
    origins: tuple[str, ...] = ()
    expires_at: datetime | None = None  # UTC; None: until revoked
    what: str = "leaderboard"  # or "feed"


@dataclass
class EmbedRow:
    rank: int
    name: str
    company: str
    points: int


@dataclass
class FeedRow:
    """A feed item as an embed shows it: who (in the embed's name style), what, when (UTC)."""

    kind: str
    name: str
    company: str
    text: str
    occurred_at: datetime

    def as_json(self) -> dict:
        return {**asdict(self), "occurred_at": self.occurred_at.isoformat() + "Z"}


def _choice(enum_cls, value, field: str, message: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise ValidationFailed(message, field=field) from None


def clean_origin(origin: str) -> str:
    """`https://host[:port]`, lower-cased, with no path, query or user; anything else is refused."""
    text = origin.strip().rstrip("/").lower()
    message = f"“{origin.strip()}” is not an https origin such as https://community.example.com."
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise ValidationFailed(message, field="origins") from None
    if parts.scheme != "https" or not parts.hostname or parts.path or parts.query or parts.fragment \
            or "@" in parts.netloc or "*" in parts.netloc or any(c in text for c in " ;,'\""):
        raise ValidationFailed(message, field="origins")
    return f"https://{parts.netloc}"


def _clean(session: Session, spec: EmbedSpec, now: datetime) -> dict:
    name = (spec.name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("Name the embed (up to 80 characters).", field="name")
    if session.scalar(select(Embed.id).where(Embed.name == name)):
        raise ValidationFailed(f"An embed is already named “{name}”; choose another name.", field="name")
    if not isinstance(spec.rows, int) or not 1 <= spec.rows <= MAX_ROWS:
        raise ValidationFailed(f"Show between 1 and {MAX_ROWS} rows.", field="rows")
    if spec.what not in KINDS:
        raise ValidationFailed("Choose the leaderboard or the community feed.", field="what")
    origins = list(dict.fromkeys(clean_origin(o) for o in spec.origins if o.strip()))
    if spec.expires_at is not None and spec.expires_at <= now:
        raise ValidationFailed("Choose an expiry in the future, or none.", field="expires_at")
    return dict(expires_at=spec.expires_at,
        name=name, kind=spec.what, rows=spec.rows, allowed_origins=origins,
        period=_choice(EmbedPeriod, spec.period, "period", "Choose week, month or all time."),
        theme=_choice(EmbedTheme, spec.theme, "theme", "Choose light or dark."),
        names=_choice(EmbedNames, spec.names, "names", "Choose how names show."),
        region=(spec.region or "").strip() or None, industry=(spec.industry or "").strip() or None,
    )


def create_embed(session: Session, *, spec: EmbedSpec, created_by: StaffUser | None, now: datetime) -> Embed:
    """Make an embed (names are unique, revoked ones included, so a name always means one embed)."""
    embed = Embed(**_clean(session, spec, now), created_at=now, created_by=created_by)
    session.add(embed)
    session.flush()
    return embed


def list_embeds(session: Session) -> list[Embed]:
    return list(session.scalars(select(Embed).order_by(Embed.revoked_at.is_not(None), Embed.created_at.desc(),
                                                       Embed.id.desc())))


def revoke_embed(session: Session, *, embed_id: int, now: datetime) -> Embed:
    embed = session.get(Embed, embed_id)
    if embed is None:
        raise NotFound("No such embed.")
    if embed.revoked_at is None:
        embed.revoked_at = now
        session.flush()
    return embed


def revoke_embed_named(session: Session, *, name: str, now: datetime) -> Embed:
    embed_id = session.scalar(select(Embed.id).where(Embed.name == name.strip()))
    if embed_id is None:
        raise NotFound(f"No embed is named “{name.strip()}”.", field="name")
    return revoke_embed(session, embed_id=embed_id, now=now)


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})


def token_for(embed: Embed, *, secret: str) -> str:
    return _serializer(secret).dumps(embed.id)


def embed_for_token(session: Session, *, token: str, secret: str, now: datetime) -> Embed:
    """The live embed a token names; NotFound for a changed, foreign, revoked or expired token."""
    try:
        embed_id = _serializer(secret).loads(token)
    except BadSignature:
        raise NotFound("No such embed.") from None
    embed = session.get(Embed, embed_id) if isinstance(embed_id, int) else None
    expired = embed is not None and embed.expires_at is not None and embed.expires_at <= now
    if embed is None or embed.revoked_at is not None or expired:
        raise NotFound("No such embed.")
    return embed


def shown_name(row: leaderboards.Row | feed.Entry, names: EmbedNames) -> str:
    if row.name in (leaderboards.ANONYMOUS, feed.ANONYMOUS):
        return row.name
    if names == EmbedNames.COMPANY:
        return row.company or leaderboards.ANONYMOUS
    if names == EmbedNames.FIRST_INITIAL:
        first, *rest = row.name.split()
        return f"{first} {rest[-1][0].upper()}." if rest else first
    return row.name


def embed_rows(session: Session, *, embed: Embed, now: datetime) -> list[EmbedRow]:
    board = leaderboards.board(session, period=BOARD_OF[embed.period], now=now, limit=embed.rows,
                               region=embed.region, industry=embed.industry)
    company_shown = embed.names != EmbedNames.COMPANY
    return [EmbedRow(r.rank, shown_name(r, embed.names), r.company if company_shown else "", r.points)
            for r in board.rows]


def feed_rows(session: Session, *, embed: Embed) -> list[FeedRow]:
    """The newest feed items the public sees (no hidden item, nobody who left), `embed.rows` of them."""
    shown = feed.page(session, size=embed.rows, region=embed.region, industry=embed.industry)
    company_shown = embed.names != EmbedNames.COMPANY
    return [FeedRow(e.kind, shown_name(e, embed.names), e.company if company_shown else "", e.text,
                    e.occurred_at) for e in shown.entries]


def rows_etag(embed: Embed, rows: list[EmbedRow] | list[FeedRow]) -> str:
    """A hash of what the embed shows (its rows and look), for ETag / If-None-Match."""
    shown = {"rows": [asdict(r) for r in rows], "theme": embed.theme.value, "period": embed.period.value,
             "kind": embed.kind}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:32]
