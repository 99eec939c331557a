"""The monthly report of any month, for marketing and admins: read on the page (with the SVG charts)
or downloaded as the HTML the email carries and as its CSV (services/analytics/report*.py)."""

from flask import Response, render_template, request

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.reports import MonthForm
from app.extensions import db
from app.services import clock
from app.services.analytics import report as monthly
from app.services.analytics import report_output
from app.services.errors import ValidationFailed
from app.services.program import settings as settings_service

TYPES = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


def _report(form: MonthForm):
    """The chosen month's report (last month by default), or None with the error on the field."""
    now = clock.utcnow()
    if not form.month.data:
        form.month.data = f"{monthly.last_month(now, settings_service.load(db.session).timezone):%Y-%m}"
    try:
        return monthly.build(db.session, month=monthly.parse_month(form.month.data), now=now)
    except ValidationFailed as error:
        form.month.errors = [error.message]
        return None


@bp.get("/figures/monthly")
@curators
def monthly_report():
    form = MonthForm(request.args)
    report = _report(form)
    return render_template("admin/monthly_report.html", form=form, report=report,
                           display=report_output.display), 200 if report else 400


@bp.get("/figures/monthly.csv", defaults={"ext": "csv"})
@bp.get("/figures/monthly.html", defaults={"ext": "html"})
@curators
def monthly_report_file(ext: str):
    form = MonthForm(request.args)
    report = _report(form)
    if report is None:
        return render_template("admin/monthly_report.html", form=form, report=None), 400
    body = report_output.to_csv(report) if ext == "csv" else report_output.render(db.session, report)[1]
    return Response(body, mimetype=TYPES[ext], headers={
        "Content-Disposition": f'attachment; filename="{report_output.filename(report, ext)}"'})
