"""Forms of advocate identification: the customer CSV upload and inviting from the qualified list."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import IntegerField, SelectMultipleField
from wtforms.validators import NumberRange, Optional

MAX_CSV_MB = 5


class CustomerImportForm(FlaskForm):
    file = FileField("CSV file", validators=[
        FileRequired("Choose a CSV file."),
        FileSize(MAX_CSV_MB * 1024 * 1024, message=f"The file is larger than {MAX_CSV_MB} MB; split it.")])


class QualifiedFilterForm(FlaskForm):
    class Meta:
        csrf = False

    tier = IntegerField("Tier", validators=[Optional(), NumberRange(min=1, max=3)])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])


class InviteQualifiedForm(FlaskForm):
    # Any ids may be posted; the service keeps those still on the qualified list.
    advocate_ids = SelectMultipleField("Invite", coerce=int, validate_choice=False)
