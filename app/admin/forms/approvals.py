"""The approval queue's forms: the filters (GET, no token), a row's reject reason, the bulk decision."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

AGE_CHOICES = [SelectChoice(v, label) for v, label in (
    ("", "Any age"), ("new", "Under a day"), ("1", "1 day or more"), ("3", "3 days or more (overdue)"),
    ("7", "7 days or more"))]
SORT_CHOICES = [SelectChoice(v, label) for v, label in (
    ("oldest", "Oldest first"), ("newest", "Newest first"), ("points", "Most points first"))]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    activity = SelectField("Activity", coerce=_int_or_none, validate_choice=False, validators=[Optional()])
    age = SelectField("Waiting", choices=AGE_CHOICES, validate_choice=False, validators=[Optional()])
    advocate = StringField("Advocate", validators=[Length(max=100)])
    company = StringField("Company", validators=[Length(max=120)], render_kw={"autocomplete": "off"})
    sort = SelectField("Sort", choices=SORT_CHOICES, validate_choice=False, validators=[Optional()])
    after = HiddenField()


class QuickRejectForm(FlaskForm):
    """One row's reject: a one-line reason (Enter sends it)."""

    reason = StringField("Reason the advocate will see", validators=[
        DataRequired("Give the advocate a reason."), Length(max=2000)])


class BulkDecisionForm(FlaskForm):
    # Any ids may be posted; the service decides those still waiting and reports the rest.
    ids = SelectMultipleField("Selected", coerce=int, validate_choice=False,
                              validators=[DataRequired("Select at least one submission.")])
    reason = StringField("Reason (required to reject; a note when approving)", validators=[Length(max=2000)])
