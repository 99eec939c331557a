"""Reward catalog and fulfilment forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.admin.forms.fields import EnumSelectField
from app.models import RewardKind, Status

WHOLE = "Must be a whole number of at least %(min)s."


class RewardForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    description = TextAreaField("Description", validators=[Length(max=4000)])
    kind = EnumSelectField("Kind", RewardKind, validators=[DataRequired()])
    points_cost = IntegerField("Points cost", validators=[InputRequired(), NumberRange(min=1, message=WHOLE)])
    stock = IntegerField("Stock", validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    min_status = EnumSelectField("Minimum status", Status, default=Status.BRONZE, validators=[DataRequired()])
    unit_cost_cents = IntegerField("Cost to us per item (cents)", validators=[
        Optional(), NumberRange(min=0, message=WHOLE)])
    requires_approval = BooleanField("Needs approval before it is sent", default=True)
    active = BooleanField("Active (advocates see it)", default=True)


class RejectRedemptionForm(FlaskForm):
    reason = TextAreaField("Reason (the advocate sees it)", validators=[DataRequired(), Length(max=1000)])
