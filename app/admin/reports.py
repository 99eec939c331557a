"""Program figures (SPEC §14) for a period, for marketing and admins: the same figures as
GET /api/v1/kpis, from services/analytics/kpis.py. CSMs do not get it: the figures cover the whole program."""

from flask import render_template, request

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.reports import PeriodForm
from app.extensions import db
from app.services import clock
from app.services.analytics import charts, kpis, trends
from app.services.errors import ValidationFailed
from app.services.program import settings as settings_service


@bp.get("/figures")
@curators
def figures():
    form = PeriodForm(request.args)
    now, timezone = clock.utcnow(), settings_service.load(db.session).timezone
    period = None
    if form.validate():
        try:
            period = kpis.period(first=form.first.data, last=form.last.data, now=now, timezone=timezone)
        except ValidationFailed as error:
            (form.last if error.field == "to" else form.first).errors = [error.message]
    report = kpis.program_figures(db.session, period=period, now=now) if period else None
    refs = kpis.reference_figures(db.session, period=period) if period else None
    drawn = charts.figure_charts(report, trends.trends(db.session, period=period, now=now)) if report else []
    return render_template("admin/figures.html", form=form, figures=report, bands=kpis.ASK_BANDS,
                           target=kpis.COVERAGE_TARGET, reference_figures=refs, charts=drawn)
