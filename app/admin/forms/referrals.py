"""Staff forms for moving a referral (shape only; the service checks the move)."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class MoveForm(FlaskForm):
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=1000)])


class ConvertForm(MoveForm):
    deal_amount = IntegerField("Deal amount (whole currency units)",
                               validators=[InputRequired("Enter the deal amount."),
                                           NumberRange(min=1, message="The deal amount must be positive.")])
