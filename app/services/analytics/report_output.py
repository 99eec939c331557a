"""The monthly report rendered and sent: one formatting of each value (`plain` for the CSV, `display`,
the same number with separators and its unit, for HTML), the CSV, and the email to marketing.

The email (templates/email/monthly_report.html and .txt) shows each chart as its data table: mail
clients (Gmail, Outlook) do not draw inline SVG, while a table reads everywhere. The figures page's
download draws the SVG charts and their tables. The CSV is attached to the email.

`enqueue_monthly` is called hourly by a job: from midnight on the 1st (program timezone) for WINDOW
it stores last month's report once per recipient under `monthly-report:<YYYY-MM>:staff:<id>`, so two
schedulers or two runs store it once. Recipients: active marketing staff (active admins when there
are none).
"""

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxMessage, StaffRole, StaffUser
from app.services.analytics import report as monthly
from app.services.messaging import outbox
from app.services.periods import to_local
from app.services.program import settings as settings_service

WINDOW = timedelta(days=3)  # a scheduler that was down catches up; a report is never weeks late
KIND = "monthly_report"
TEMPLATE = "monthly_report"
COLUMNS = ("section", "item", "detail", "value", "previous_month", "change")
UNIT_NAMES = {"rate": "%", "ratio": "x", "days": "days", "count": "count", "number": "number"}


DECIMALS = {"money": 2, "rate": 1, "ratio": 2, "days": 1, "number": 2, "count": 0}


def _number(unit: str, value) -> float:
    """Money in currency units, a rate in percent, the rest as is."""
    return value / 100 if unit == "money" else value * 100 if unit == "rate" else value


def plain(unit: str, value) -> str:
    """A value as the CSV holds it: money in currency units, a rate in percent, no separators."""
    return "" if value is None else f"{_number(unit, value):.{DECIMALS[unit]}f}"


def display(unit: str, value, currency: str, *, signed: bool = False) -> str:
    """The same value for people: separators and its unit; `signed` for a change (+/−)."""
    if value is None:
        return "—"
    number = round(_number(unit, value), DECIMALS[unit])
    text = f"{'+' if signed and number > 0 else ''}{number:,.{DECIMALS[unit]}f}".replace("-", "−")
    suffix = {"money": f" {currency}", "rate": " pts" if signed else " %", "ratio": "×", "days": " d"}
    return text + suffix.get(unit, "")


def _safe(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(report: monthly.MonthlyReport) -> list[tuple[str, ...]]:
    """The report's rows under COLUMNS: KPIs, top advocates, new content, references, chart tables."""
    rows = [("kpi", kpi.label, report.currency if kpi.unit == "money" else UNIT_NAMES[kpi.unit],
             plain(kpi.unit, kpi.value), plain(kpi.unit, kpi.previous), plain(kpi.unit, kpi.change))
            for kpi in report.kpis]
    rows += [("top_advocate", _safe(row.name), _safe(row.company), str(row.points), "", "")
             for row in report.top_advocates]
    rows += [("new_content", _safe(row.title), _safe(f"{row.kind}, {row.author}, {row.state}"),
              row.created_on.isoformat(), "", "") for row in report.new_content]
    rows += [("reference_fulfilled", _safe(row.company),
              _safe(f"{row.advocate}, {row.fulfilled_on.isoformat()}"), plain("days", row.days), "", "")
             for row in report.references]
    for chart in report.charts:
        rows += [(f"chart:{chart.key}", category, series.label, str(value), "", "")
                 for category, values in chart.rows
                 for series, value in zip(chart.series, values, strict=True)]
    return rows


def to_csv(report: monthly.MonthlyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(csv_rows(report))
    return out.getvalue()


def filename(report: monthly.MonthlyReport, ext: str) -> str:
    return f"monthly-report-{report.slug}.{ext}"


def context(report: monthly.MonthlyReport) -> dict:
    """What the report's templates are given (the email's and the page's)."""
    return {"report": report, "display": display}


def render(session: Session, report: monthly.MonthlyReport) -> tuple[str, str]:
    """(plain text, HTML) of the report's email in the program's branded email layout, as `enqueue`
    stores it; the HTML is also the downloadable file."""
    return outbox.render(TEMPLATE, context(report), outbox.email_brand(session))


def recipients(session: Session) -> list[StaffUser]:
    staff = list(session.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                         StaffUser.role == StaffRole.MARKETING)
                                 .order_by(StaffUser.id)))
    return staff or list(session.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                                 StaffUser.role == StaffRole.ADMIN)
                                         .order_by(StaffUser.id)))


def dedupe_key(month, staff_id: int) -> str:
    return f"monthly-report:{month:%Y-%m}:staff:{staff_id}"


def enqueue_monthly(session: Session, *, now: datetime) -> int:
    """Queue last month's report to each recipient once, from the 1st's midnight for WINDOW; returns
    how many emails this call stored."""
    timezone = settings_service.load(session).timezone
    local = to_local(now, timezone)
    if local - local.replace(day=1, hour=0, minute=0, second=0, microsecond=0) >= WINDOW:
        return 0
    month = monthly.last_month(now, timezone)
    keys = {person.id: dedupe_key(month, person.id) for person in recipients(session)}
    queued = set(session.scalars(select(OutboxMessage.dedupe_key)
                                 .where(OutboxMessage.dedupe_key.in_(list(keys.values())))))
    due = [person for person in recipients(session) if keys[person.id] not in queued]
    if not due:
        return 0
    report = monthly.build(session, month=month, now=now)
    attachment = outbox.Attachment(filename(report, "csv"), "text/csv", to_csv(report))
    return sum(outbox.enqueue(session, dedupe_key=keys[person.id], kind=KIND, to_email=person.email,
                              subject=report.title, template=TEMPLATE, context=context(report), now=now,
                              staff_id=person.id, attachments=[attachment]) for person in due)
