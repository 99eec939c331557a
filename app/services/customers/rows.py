"""One customer record as it arrives (a CSV line or a JSON object), checked field by field.

`parse_row` turns the raw values into a CustomerRow of the fields that were given, or raises
RowInvalid listing every problem, so the importer can refuse the whole row before writing any of
it. A missing or blank value means "not given": it leaves the stored value as it is.
"""

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.models import AdvocateState
from app.models.signals import ADVOCATE, MAX_COUNT, SIGNALS, Signal
from app.services.people.accounts import normalise_email

EMAIL = re.compile(r"^[^@\s<>()\[\],;:\\\"]+@[^@\s<>()\[\],;:\\\"]+\.[a-z]{2,63}$")
TRUE, FALSE = {"1", "true", "yes", "y"}, {"0", "false", "no", "n", ""}
MAX_TAGS, MAX_TAG = 20, 40


@dataclass(frozen=True)
class Problem:
    """One reason a record is refused, and the column it names (None when it names none)."""

    message: str
    field: str | None = None

    def __str__(self) -> str:
        return self.message


class RowInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _no_nul(text: str) -> str:
    """PostgreSQL cannot store a NUL character in text (and no real value holds one): refuse it on both
    engines, as the problem of its field, rather than fail at the INSERT."""
    if "\x00" in text:
        raise ValueError("text without NUL characters")
    return text


def _text(limit: int) -> Callable[[object], str]:
    def parse(value):
        if value.__class__ is str:
            text = value.strip()
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError("a text")
        else:
            text = str(value).strip()
        _no_nul(text)
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters")
        return text
    return parse


def _email(value) -> str:
    if not isinstance(value, str):
        raise ValueError("not an email address")
    email = normalise_email(str(value))
    if len(email) > 254 or not EMAIL.match(email) or "\x00" in email:
        raise ValueError("not an email address")
    return email


WHOLE = re.compile(r"-?\d{1,18}")


def _whole(low: int, high: int = MAX_COUNT) -> Callable[[object], int]:
    def parse(value):
        if value.__class__ is str:
            text = value.strip()
        else:
            text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if not (text.isdigit() and text.isascii() and len(text) <= 18) and not WHOLE.fullmatch(text):
            raise ValueError(f"a whole number from {low} to {high:,}")
        number = int(text)
        if not low <= number <= high:
            raise ValueError(f"from {low} to {high:,}")
        return number
    return parse


def _average(low: int, high: int) -> Callable[[object], float]:
    def parse(value) -> float:
        try:
            number = float(str(value).strip()) if not isinstance(value, bool) else math.nan
        except ValueError:
            number = math.nan
        if not low <= number <= high:
            raise ValueError(f"an average from {low} to {high}")
        return round(number, 2)
    return parse


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in TRUE | FALSE:
        raise ValueError("yes or no")
    return text in TRUE


def _tags(value) -> list[str]:
    if value.__class__ is str:
        tags = list(dict.fromkeys(t for t in [t.strip() for t in _no_nul(value).split(";")] if t))
    else:
        tags = _tag_list(value)
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        raise ValueError(f"at most {MAX_TAGS} tags of {MAX_TAG} characters, separated by ;")
    return tags


def _tag_list(value) -> list[str]:
    if not isinstance(value, list | str) or (isinstance(value, list) and not all(
            isinstance(t, str) for t in value)):
        raise ValueError("a list of texts, or texts separated by ;")
    items = value if isinstance(value, list) else value.split(";")
    return list(dict.fromkeys(_no_nul(str(t).strip()) for t in items if str(t).strip()))


def _day(value) -> date:
    if value.__class__ is str:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("a date as YYYY-MM-DD") from None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD") from None


def _state(value) -> AdvocateState:
    try:
        return AdvocateState(str(value).strip().lower())
    except ValueError:
        raise ValueError("one of invited, active, paused, opted_out") from None


def _parser(signal: Signal) -> Callable:
    return {"whole": lambda: _whole(signal.low, signal.high), "date": lambda: _day,
            "average": lambda: _average(signal.low, signal.high), "flag": lambda: _flag}[signal.kind]()


# column -> (where it is stored, parser). "advocate": a column of the advocate; "signal": of customer_signal;
# "key" and "account": an attribute of the CustomerRow (the account's state and owner go through the
# lifecycle rules, see batches). The signal fields come from models.signals.SIGNALS.
FIELDS: dict[str, tuple[str, Callable]] = {
    "external_id": ("key", _text(80)),
    "email": ("key", _email),
    "name": ("advocate", _text(120)),
    "company": ("advocate", _text(120)),
    "title": ("advocate", _text(120)),
    "industry": ("advocate", _text(80)),
    "company_size": ("advocate", _text(40)),
    "region": ("advocate", _text(80)),
    "tags": ("advocate", _tags),
    **{s.column: ("advocate" if s.table == ADVOCATE else "signal", _parser(s)) for s in SIGNALS},
    "state": ("account", _state),
    "owner_email": ("account", _email),
}
COLUMNS = tuple(FIELDS)
NOT_IN_FUTURE = tuple(s.column for s in SIGNALS if s.kind == "date")
# CSV/JSON name -> stored attribute, where they differ.
SIGNAL_ATTRS = {s.column: s.attr for s in SIGNALS if s.column != s.attr}


@dataclass(slots=True)
class CustomerRow:
    external_id: str | None = None
    email: str | None = None
    # advocate attribute -> value, customer_signal attribute -> value
    profile: dict[str, object] = field(default_factory=dict)
    signals: dict[str, object] = field(default_factory=dict)
    # The account columns, when given: the state to move to and the owner's staff email.
    state: AdvocateState | None = None
    owner_email: str | None = None

    @property
    def key(self) -> str:
        return self.external_id or self.email or ""


# (column, where, attribute, parser, not in the future) in FIELDS order, for parse_row's loop.
_SPECS = tuple((name, place, SIGNAL_ATTRS.get(name, name), parse, name in NOT_IN_FUTURE)
               for name, (place, parse) in FIELDS.items())
_NAMES = frozenset(FIELDS)


def parse_row(raw: Mapping[str, object], *, today: date) -> CustomerRow:
    """The given fields of one record, parsed; RowInvalid names every unknown or bad field."""
    reasons = [] if raw.keys() <= _NAMES else [Problem(f"unknown field {str(name)[:80]!r}", str(name)[:80])
                                               for name in raw if name not in FIELDS]
    row = CustomerRow()
    profile, signals, get = row.profile, row.signals, raw.get
    for name, place, attr, parse, not_future in _SPECS:
        value = get(name)
        if value is None or (isinstance(value, str) and (not value or value.isspace())):
            continue  # not given: leaves the stored value alone
        try:
            parsed = parse(value)
        except ValueError as problem:
            reasons.append(Problem(f"{name}: {problem}", name))
            continue
        if not_future and parsed > today:
            reasons.append(Problem(f"{name}: {parsed.isoformat()} is in the future", name))
        elif place == "advocate":
            profile[attr] = parsed
        elif place == "signal":
            signals[attr] = parsed
        else:
            setattr(row, name, parsed or None)
    if row.external_id is None and row.email is None and not reasons:
        reasons.append(Problem("give an external_id or an email"))
    if reasons:
        raise RowInvalid(reasons)
    return row
