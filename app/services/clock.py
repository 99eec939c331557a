"""The one place that reads the wall clock, so tests can pin and move time.

All stored datetimes are naive UTC; conversion to the program timezone happens only for
display and for calendar periods (weeks, months).
"""

from contextlib import contextmanager
from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def freeze(at: datetime | None) -> None:
    """Pin the clock (None releases it)."""
    global _frozen
    _frozen = at


@contextmanager
def frozen(at: datetime):
    previous = _frozen
    freeze(at)
    try:
        yield
    finally:
        freeze(previous)
