"""Forms of the people lifecycle: a staff user's role, an advocate's state and owner (shape only)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.admin.forms.fields import EnumSelectField
from app.models import StaffRole


class StaffRoleForm(FlaskForm):
    role = EnumSelectField("Role", StaffRole, validators=[DataRequired()])


class AdvocateStateForm(FlaskForm):
    # Choices are the moves the viewer may make now (services.lifecycle.allowed_moves).
    state = SelectField("Change to", validators=[DataRequired("Choose what to do.")])
    reason = StringField("Reason", validators=[DataRequired("Say why the account changes."), Length(max=500)])


class AdvocateOwnerForm(FlaskForm):
    owner_id = SelectField("Owner", coerce=int, validators=[DataRequired("Choose the new owner.")])
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])
