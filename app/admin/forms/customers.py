"""Forms of advocate identification: the customer CSV upload and inviting from the qualified list."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import NumberRange, Optional

from app.services.customers.rows import COLUMNS

MAX_CSV_MB = 5


class CustomerImportForm(FlaskForm):
    file = FileField("CSV file", validators=[
        FileRequired("Choose a CSV file."),
        FileSize(MAX_CSV_MB * 1024 * 1024, message=f"The file is larger than {MAX_CSV_MB} MB; split it.")])


IGNORE = ""
FIELD_CHOICES = [SelectChoice(IGNORE, "Ignore this column"),
                 *(SelectChoice(name, name) for name in COLUMNS)]


class ColumnMappingForm(FlaskForm):
    """One select per column of the uploaded file's header (`col_0`, `col_1`, …): a field or ignore."""

    check = SubmitField("Check again")
    confirm = SubmitField("Import")

    def columns(self) -> list:
        return [self[f"col_{i}"] for i in range(self.width)]

    def mapping(self) -> list[str | None]:
        return [field.data or None for field in self.columns()]


def column_mapping_form(header: list[str], suggested: list[str | None], **kwargs) -> ColumnMappingForm:
    """A mapping form for this header, each select preset to the suggested field."""
    fields = {f"col_{i}": SelectField((name.strip() or f"Column {i + 1}")[:80], choices=FIELD_CHOICES,
                                      default=suggested[i] or IGNORE)
              for i, name in enumerate(header)}
    form_class = type("HeaderMappingForm", (ColumnMappingForm,), {**fields, "width": len(header)})
    return form_class(**kwargs)


class QualifiedFilterForm(FlaskForm):
    class Meta:
        csrf = False

    tier = IntegerField("Tier", validators=[Optional(), NumberRange(min=1, max=3)])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])


class InviteQualifiedForm(FlaskForm):
    # Any ids may be posted; the service keeps those still on the qualified list.
    advocate_ids = SelectMultipleField("Invite", coerce=int, validate_choice=False)
