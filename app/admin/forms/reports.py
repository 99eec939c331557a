"""The period of the program figures page: two optional dates, read from the query string (GET, so
nothing changes and there is no CSRF token)."""

from wtforms import DateField, Form, StringField
from wtforms.validators import Optional


class PeriodForm(Form):
    first = DateField("From", name="from", validators=[Optional()], format="%Y-%m-%d",
                      render_kw={"placeholder": "YYYY-MM-DD"})
    last = DateField("To (inclusive)", name="to", validators=[Optional()], format="%Y-%m-%d",
                     render_kw={"placeholder": "YYYY-MM-DD"})


class MonthForm(Form):
    """The month of the monthly report (GET); services.analytics.report.parse_month checks it."""

    month = StringField("Month", render_kw={"type": "month", "placeholder": "YYYY-MM"})
