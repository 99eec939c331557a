"""Forms for API keys (shape only; the service checks the rest)."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.models import ApiScope


class ApiKeyForm(FlaskForm):
    name = StringField("Name (e.g. the system that uses it)",
                       validators=[DataRequired("Name the key."), Length(max=80)],
                       render_kw={"autocomplete": "off"})
    scope = SelectField("Scope", choices=[SelectChoice(ApiScope.READ.value, "Read: lists and lookups"),
                                          SelectChoice(ApiScope.WRITE.value, "Write: read, plus adjustments, "
                                                       "missions, decisions and conversions")],
                        default=ApiScope.READ.value)
