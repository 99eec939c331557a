"""Jinja filters and globals: formatting only."""

from datetime import date, datetime

from flask import g

from app.services.periods import to_local


def _points(value) -> str:
    return f"{int(value or 0):,}"


def _signed(value) -> str:
    value = int(value or 0)
    return f"+{value:,}" if value > 0 else f"−{abs(value):,}" if value < 0 else "0"


def _localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A stored (naive UTC) moment in the program's timezone; a time of day always names its zone."""
    if value is None:
        return "—"
    if "%H" in fmt and "%Z" not in fmt:
        fmt += " %Z"
    return to_local(value, g.get("timezone", "UTC")).strftime(fmt)


def _day(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return _localtime(value, "%d %b %Y")
    return value.strftime("%d %b %Y")


def _label(value) -> str:
    text = getattr(value, "value", value) or ""
    return str(text).replace("_", " ").capitalize()


def init_app(app) -> None:
    app.add_template_filter(_points, "points")
    app.add_template_filter(_signed, "signed")
    app.add_template_filter(_localtime, "localtime")
    app.add_template_filter(_day, "day")
    app.add_template_filter(_label, "label")
