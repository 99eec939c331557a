"""Asks: push a mission to a segment of advocates, drop a queued ask."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, SubmitField

from app.admin.forms.fields import CheckboxListField
from app.models import Status

PRIORITIES = ((0, "Low"), (1, "Normal"), (2, "High"))
PRIORITY_LABELS = dict(PRIORITIES)


class PushForm(FlaskForm):
    statuses = CheckboxListField("Status", choices=[SelectChoice(s.value, s.label) for s in Status])
    regions = CheckboxListField("Regions", choices=[])
    industries = CheckboxListField("Industries", choices=[])
    tags = CheckboxListField("Tags", choices=[])
    owner_id = SelectField("Owner (CSM)", coerce=int, default=0)
    priority = SelectField("Priority", coerce=int, default=1,
                           choices=[SelectChoice(value, label) for value, label in PRIORITIES])
    # The governor names "segment" when the filters match nobody; the error is shown under them.
    segment = HiddenField()
    preview = SubmitField("Preview")
    push = SubmitField("Push to advocates")
