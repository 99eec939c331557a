"""The content library: reviews, quotes, testimonials, case studies, social posts and videos, and the
history of each item's publication consent (one row per grant or withdrawal, never overwritten)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.missions import Attempt
from app.models.people import Advocate, StaffUser


class ContentKind(enum.StrEnum):
    REVIEW = "review"
    QUOTE = "quote"
    TESTIMONIAL = "testimonial"
    CASE_STUDY = "case_study"
    SOCIAL = "social"
    VIDEO = "video"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ContentState(enum.StrEnum):
    DRAFT = "draft"  # staff still writing (a case study in the editor)
    AWAITING_AUTHOR = "awaiting_author"  # a case study's final text waits for its advocate's approval
    APPROVED = "approved"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ContentUse(enum.StrEnum):
    WEBSITE = "website"  # the company's website, and so the community feed and its embeds
    SALES = "sales"  # sales material (decks, reference sheets)
    SOCIAL = "social"  # the company's social channels

    @property
    def label(self) -> str:
        return {"website": "Website and community feed", "sales": "Sales material",
                "social": "Social media"}[self.value]


class ContentItem(db.Model):
    """One piece of content. Its author is an advocate, or a person staff name (author_name) when
    entered by hand. Case studies keep their four editor steps; `author_approved_at` is set when the
    advocate approves the final text and cleared by any later edit."""

    __tablename__ = "content_item"
    __table_args__ = (
        sa.UniqueConstraint("source_attempt_id", name="uq_content_item_source_attempt"),
        sa.Index("ix_content_item_state_kind", "state", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ContentKind] = mapped_column(enum_type(ContentKind))
    state: Mapped[ContentState] = mapped_column(enum_type(ContentState))
    title: Mapped[str] = mapped_column(sa.String(160), default="")
    text: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(2000))
    rating: Mapped[int | None]
    platform: Mapped[str | None] = mapped_column(sa.String(80))
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"), index=True)
    author_name: Mapped[str] = mapped_column(sa.String(120), default="")
    author_company: Mapped[str] = mapped_column(sa.String(120), default="")
    source_attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attempt.id"))
    segment: Mapped[str] = mapped_column(sa.String(80), default="")
    industry: Mapped[str] = mapped_column(sa.String(80), default="")
    use_case: Mapped[str] = mapped_column(sa.String(80), default="")
    outcome: Mapped[str] = mapped_column(sa.String(80), default="")
    challenge: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    results: Mapped[str] = mapped_column(sa.Text, default="")
    quote: Mapped[str] = mapped_column(sa.Text, default="")
    author_approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # in the community feed since
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))

    advocate: Mapped[Advocate | None] = relationship()
    source_attempt: Mapped[Attempt | None] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()
    consents: Mapped[list["ContentConsent"]] = relationship(order_by="ContentConsent.id",
                                                            back_populates="item")

    @property
    def author(self) -> str:
        return self.advocate.name if self.advocate is not None else self.author_name


class ContentConsent(db.Model):
    """One grant or withdrawal of one use of one item; the newest row per (item, use) is the consent
    now. `by_kind` is "advocate" (from the portal) or "staff" (recorded for a person without an
    account)."""

    __tablename__ = "content_consent"
    __table_args__ = (sa.Index("ix_content_consent_item_use", "item_id", "use", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_item.id"))
    use: Mapped[ContentUse] = mapped_column(enum_type(ContentUse))
    granted: Mapped[bool]
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    by_kind: Mapped[str] = mapped_column(sa.String(20))
    by_id: Mapped[int | None]

    item: Mapped[ContentItem] = relationship(back_populates="consents")
