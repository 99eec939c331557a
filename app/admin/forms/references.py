"""Staff forms of the reference program (shape only; the services check the rules)."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

RATINGS = [SelectChoice(str(n), f"{n} of 5") for n in range(5, 0, -1)]


class RequestForm(FlaskForm):
    prospect_company = StringField("Prospect company", validators=[InputRequired("Name the prospect."),
                                                                  Length(max=120)])
    industry = StringField("Industry", validators=[Optional(), Length(max=80)])
    size_band = StringField("Company size", validators=[Optional(), Length(max=40)])
    region = StringField("Region", validators=[Optional(), Length(max=80)])
    use_cases = StringField("Use cases", validators=[Optional(), Length(max=400)])
    needed_by = DateField("Needed by", validators=[Optional()])
    crm_opportunity_id = StringField("CRM opportunity", validators=[Optional(), Length(max=80)])
    opportunity_amount = IntegerField("Opportunity amount", validators=[
        Optional(), NumberRange(min=0, message="Enter a whole amount, 0 or more.")])
    note = TextAreaField("Note for marketing", validators=[Optional(), Length(max=2000)])


class SendForm(FlaskForm):
    advocate_id = HiddenField()


class CompleteForm(FlaskForm):
    rating = SelectField("How did the call go?", choices=RATINGS, coerce=int, validators=[InputRequired()])
    text = TextAreaField("Salesperson's feedback", validators=[Optional(), Length(max=2000)])
