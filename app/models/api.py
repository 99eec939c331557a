"""The JSON API's own tables: keys, per-second request counts, and stored idempotent responses."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.missions import Attempt
from app.models.people import Advocate, StaffUser


class ApiScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"  # implies read


class ApiKey(db.Model):
    """A bearer key. Only the SHA-256 of the secret is kept, plus a short prefix to recognise it.

    `actor` is a sign-in-less staff row made with the key, so every service that records a staff
    member (ledger entries, decisions, missions, referral moves) records the key by name."""

    __tablename__ = "api_key"
    __table_args__ = (
        # Two live keys never share a name (a revoked key's name may be used again); the service's check
        # gives the friendly message, this index settles a race between two creations.
        sa.Index("uq_api_key_live_name", "name", unique=True, sqlite_where=sa.text("revoked_at IS NULL"),
                 postgresql_where=sa.text("revoked_at IS NULL")),
        # authenticate() looks a key up by this public prefix, then compares hashes in constant time.
        sa.Index("ix_api_key_prefix", "prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    scope: Mapped[ApiScope] = mapped_column(enum_type(ApiScope))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    actor: Mapped[StaffUser] = relationship(foreign_keys=[actor_id])
    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id])

    def allows(self, scope: ApiScope) -> bool:
        return scope == ApiScope.READ or self.scope == ApiScope.WRITE


class ApiRequestCount(db.Model):
    """Requests per key per second: the buckets of the API's sliding rate-limit window, shared by every
    process (app/services/api/rate.py). `window_start` is the second's start."""

    __tablename__ = "api_request_count"

    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_key.id"), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(sa.DateTime, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class IdempotencyRecord(db.Model):
    """The first response to a write with an Idempotency-Key, inserted in the write's transaction."""

    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key", name="uq_idempotency_record_key"),
                      # the purge job (services/idempotency.purge_expired) deletes by age
                      sa.Index("ix_idempotency_record_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_key.id"))
    key: Mapped[str] = mapped_column(sa.String(200))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)



# Keyset pages of the API lists (WHERE <filter> = :v AND id > :after ORDER BY id) read these
# instead of walking the primary key past every row that does not match.
sa.Index("ix_advocate_state_id", Advocate.state, Advocate.id)
sa.Index("ix_advocate_status_id", Advocate.status, Advocate.id)
sa.Index("ix_advocate_readiness_id", Advocate.readiness_tier, Advocate.id)
sa.Index("ix_attempt_state_id", Attempt.state, Attempt.id)
sa.Index("ix_attempt_mission_id_id", Attempt.mission_id, Attempt.id)
