"""Calendar periods (week, month) in the program timezone, and month arithmetic."""

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PERIODS = ("week", "month")


def to_local(utc_naive: datetime, tz_name: str) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name))


def to_utc(local: datetime, tz_name: str) -> datetime:
    """A wall-clock time in the program timezone as naive UTC."""
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC).replace(tzinfo=None)


def format_local(utc_naive: datetime, tz_name: str, fmt: str = "%d %b %Y, %H:%M %Z") -> str:
    """A stored (naive UTC) moment as text in the program timezone, e.g. for emails."""
    return to_local(utc_naive, tz_name).strftime(fmt)


def period_start(utc_naive: datetime, tz_name: str, period: str) -> date:
    """First day (a Monday for weeks) of the period holding this instant, in the program timezone."""
    local = to_local(utc_naive, tz_name).date()
    if period == "week":
        return local - timedelta(days=local.weekday())
    if period == "month":
        return local.replace(day=1)
    raise ValueError(f"unknown period {period!r}")


class PeriodStarts:
    """(period, first day) of each period holding an instant, for many instants in one timezone.

    Cached per quarter hour: every timezone offset is a multiple of 15 minutes, so the local date
    is the same within one. For bulk work (rebuilding buckets, generating bench data)."""

    def __init__(self, tz_name: str):
        self.tz_name = tz_name
        self._cache: dict[datetime, tuple] = {}

    def __call__(self, utc_naive: datetime) -> tuple[tuple[str, date], ...]:
        quarter = utc_naive.replace(minute=utc_naive.minute - utc_naive.minute % 15, second=0, microsecond=0)
        found = self._cache.get(quarter)
        if found is None:
            found = self._cache[quarter] = tuple((p, period_start(quarter, self.tz_name, p)) for p in PERIODS)
        return found


def period_end(start: date, period: str) -> date:
    """The first day after the period that starts on `start`."""
    if period == "week":
        return start + timedelta(days=7)
    return add_months(start, 1)


def add_months(value, months: int):
    """Same day-of-month `months` later, clamped to the month's last day (date or datetime)."""
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)
