"""Forms about people: approvals, adjustments, status changes, advocate search and invitations."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from app.admin.forms.fields import EnumSelectField
from app.models import AdvocateState, StaffRole, Status


class ApproveForm(FlaskForm):
    note = StringField("Note (optional)", validators=[Length(max=1000)])


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason the advocate will see", validators=[
        DataRequired("Give the advocate a reason."), Length(max=2000)])


class AdjustForm(FlaskForm):
    amount = IntegerField("Points (negative to deduct)", validators=[
        InputRequired("Enter a number of points."),
        NumberRange(min=-1_000_000, max=1_000_000, message="Between −1,000,000 and 1,000,000.")])
    note = StringField("Reason", validators=[DataRequired("Say why the points change."), Length(max=500)])
    request_key = HiddenField(validators=[DataRequired(), Length(max=64)])

    def validate_amount(self, field):
        if field.data == 0:
            raise ValueError("An adjustment must move points.")


class StatusForm(FlaskForm):
    """Starts at the advocate's current status; a lower status needs `confirm_demotion` ticked."""

    status = EnumSelectField("New status", Status, validators=[DataRequired()])
    reason = StringField("Reason", validators=[DataRequired("Say why the status changes."), Length(max=500)])
    confirm_demotion = BooleanField("Yes, demote this advocate")

    def __init__(self, *args, current: Status, **kwargs):
        super().__init__(*args, status=current, **kwargs)  # the sent value, when there is one, wins
        self.current = current

    def validate_status(self, field):
        if field.data and field.data.rank < self.current.rank and not self.confirm_demotion.data:
            raise ValidationError(f"{field.data.label} is lower than {self.current.label}: tick "
                                  "“Yes, demote this advocate” to confirm the demotion.")


class AdvocateSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Length(max=100)], render_kw={"autocomplete": "off"})
    status = EnumSelectField("Status", Status, blank="Any status", validators=[Optional()])
    state = EnumSelectField("State", AdvocateState, blank="Any state", validators=[Optional()])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])


# Staff type someone else's details here: the browser must not fill in their own.
SOMEONE_ELSE = {"autocomplete": "off"}


class InviteAdvocateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], render_kw=SOMEONE_ELSE)
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)], render_kw=SOMEONE_ELSE)
    company = StringField("Company", validators=[Length(max=120)], render_kw=SOMEONE_ELSE)
    title = StringField("Job title", validators=[Length(max=120)], render_kw=SOMEONE_ELSE)
    industry = StringField("Industry", validators=[Length(max=80)])
    company_size = StringField("Company size", validators=[Length(max=40)])
    region = StringField("Region", validators=[Length(max=80)])
    owner_id = SelectField("Owner (CSM)", coerce=int, default=0)


class InviteStaffForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], render_kw=SOMEONE_ELSE)
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)], render_kw=SOMEONE_ELSE)
    role = EnumSelectField("Role", StaffRole, validators=[DataRequired()])


class EndSessionsForm(FlaskForm):
    """The admin's "end all sessions" button: CSRF only."""
