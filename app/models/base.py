"""Shared column helpers and enums for the models (the declarative Base lives with `db`)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column


def enum_type(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by value as a short string (portable across SQLite and PostgreSQL)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)


class Status(enum.StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"

    @property
    def rank(self) -> int:
        return list(Status).index(self)

    @property
    def label(self) -> str:
        return self.value.title()
