"""Activity, reward-tier band and mission forms."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.admin.forms.fields import CheckboxListField, EmailListField, EnumSelectField
from app.models import ActivityKind, Effort, Evidence, Status, Value

WHOLE = "Must be a whole number of at least %(min)s."


class ActivityForm(FlaskForm):
    key = StringField("Key", validators=[
        DataRequired(), Length(max=60),
        Regexp(r"^[a-z0-9][a-z0-9_-]*$", message="Lower-case letters, digits, - and _ only.")])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    description = TextAreaField("Description", validators=[Length(max=4000)])
    kind = EnumSelectField("Kind", ActivityKind, validators=[DataRequired()])
    effort = EnumSelectField("Effort", Effort, validators=[DataRequired()])
    value = EnumSelectField("Value to us", Value, validators=[DataRequired()])
    reward_tier_id = SelectField("Reward tier", coerce=int, validators=[InputRequired()])
    cooldown_days = IntegerField("Cooldown (days)", default=0,
                                 validators=[InputRequired(), NumberRange(min=0, message=WHOLE)])
    min_status = EnumSelectField("Minimum status", Status, default=Status.BRONZE, validators=[DataRequired()])
    expires_after_days = IntegerField("Expires after (days)", default=14,
                                      validators=[InputRequired(), NumberRange(min=1, message=WHOLE)])
    evidence = EnumSelectField("Evidence", Evidence, default=Evidence.NONE, validators=[DataRequired()])
    requires_approval = BooleanField("Requires approval", default=True)
    counts_as_ask = BooleanField("Counts as an ask", default=True)
    active = BooleanField("Active (can be used in new missions)", default=True)
    version_id = HiddenField()


class BandForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], render_kw={"autocomplete": "off"})
    points = IntegerField("Points", validators=[InputRequired(), NumberRange(min=0, message=WHOLE)])


class MissionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)],
                        render_kw={"autocomplete": "off"})
    instructions = TextAreaField("Instructions", validators=[Length(max=8000)])
    activity_id = SelectField("Activity", coerce=int, validators=[InputRequired()])
    min_status = EnumSelectField("Minimum status", Status, blank="Any")
    readiness_tiers = CheckboxListField("Readiness tiers", coerce=int,
                                        choices=[SelectChoice(n, f"Tier {n}") for n in (1, 2, 3)])
    # Chosen among the values advocates hold (choices set by the view, with the mission's own values).
    industries = CheckboxListField("Industries")
    regions = CheckboxListField("Regions")
    tags = CheckboxListField("Tags")
    advocate_emails = EmailListField("Named advocates (emails)", render_kw={"autocomplete": "off"})
    save_anyway = BooleanField("Save anyway, keeping the values that match no advocate")
    check = SubmitField("Check audience")
    opens_at = DateTimeLocalField("Opens", format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    closes_at = DateTimeLocalField("Closes", format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    completion_limit = IntegerField("Completion limit", validators=[
        Optional(), NumberRange(min=1, message=WHOLE)])
    points_override = IntegerField("Points override", validators=[
        Optional(), NumberRange(min=0, message=WHOLE)])
    version_id = HiddenField()
