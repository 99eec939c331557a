"""Trigger rule and manual trigger-event forms (shape only; the rules are in services/triggers/rules.py
and services/triggers/events.py, whose errors land next to the field they name)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.admin.forms.asks import PRIORITIES
from app.admin.forms.fields import EnumSelectField
from app.models import ActivityKind, TriggerEventType
from app.services.triggers.rules import TYPE_LABELS

WHOLE = "Enter a whole number (or leave it empty)."
TYPE_CHOICES = [SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()]


class WholeNumberField(IntegerField):
    """An optional whole number whose parse error reads as a sentence."""

    def __init__(self, label, **kwargs):
        super().__init__(label, validators=[Optional()], render_kw={"inputmode": "numeric"}, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(WHOLE) from None


class RuleForm(FlaskForm):
    event_type = EnumSelectField("When this event arrives", TriggerEventType, validators=[DataRequired()])
    min_value = WholeNumberField("From (lowest value)")
    max_value = WholeNumberField("To (highest value)")
    activity_kind = EnumSelectField("Ask for this kind of activity", ActivityKind,
                                    validators=[DataRequired()])
    priority = SelectField("Priority", coerce=int, default=1,
                           choices=[SelectChoice(value, label) for value, label in PRIORITIES])
    enabled = BooleanField("Enabled", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_type.choices = list(TYPE_CHOICES)


class EventForm(FlaskForm):
    identify_by = SelectField("Find the advocate by", default="email", choices=[
        SelectChoice("email", "Email"), SelectChoice("external_id", "External ID")])
    advocate = StringField("Advocate", validators=[DataRequired(), Length(max=254)])
    event_type = EnumSelectField("Event", TriggerEventType, validators=[DataRequired()])
    score = WholeNumberField("NPS score (0–10)")
    csat = WholeNumberField("CSAT (1–5)")
    milestone = StringField("Milestone", validators=[Optional(), Length(max=200)])
    occurred_at = DateTimeLocalField("When it happened", format="%Y-%m-%dT%H:%M",
                                     validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_type.choices = list(TYPE_CHOICES)

    def data_for(self, event_type: TriggerEventType) -> dict:
        """The event's data: only the field its type uses (the others are ignored)."""
        if event_type == TriggerEventType.NPS_SUBMITTED:
            return {} if self.score.data is None else {"score": self.score.data}
        if event_type == TriggerEventType.SUPPORT_RESOLVED:
            return {} if self.csat.data is None else {"csat": self.csat.data}
        if event_type == TriggerEventType.MILESTONE and (self.milestone.data or "").strip():
            return {"name": self.milestone.data.strip()}
        return {}
