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


# Avatar backgrounds are the CSS classes avatar-0 … avatar-7 (app.css): white initials on each have a
# contrast of at least 4.5:1 (WCAG AA); classes, as the CSP allows no inline style.
AVATAR_COLOURS = 8


def _initials(name: str | None) -> str:
    """Up to two initials of a name ("Ada Lovelace" → "AL"); "?" for none."""
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in (words[:1] + words[1:][-1:])).upper() or "?"


def _avatar_colour(name: str | None) -> str:
    """A stable colour class per name (the same person looks the same on every page)."""
    return f"avatar-{sum(map(ord, name or '')) % AVATAR_COLOURS}"


def init_app(app) -> None:
    app.add_template_filter(_initials, "initials")
    app.add_template_filter(_avatar_colour, "avatar_colour")
    app.add_template_filter(_points, "points")
    app.add_template_filter(_signed, "signed")
    app.add_template_filter(_localtime, "localtime")
    app.add_template_filter(_day, "day")
    app.add_template_filter(_label, "label")
