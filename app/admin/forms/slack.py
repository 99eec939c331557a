"""The weekly Slack post's form (shape only; the service checks the URL and the day and hour)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from app.services.community.slack import WEEKDAYS


class SecretField(StringField):
    """A text input that never renders a value: a stored (or typed) webhook URL is not echoed back."""

    def _value(self) -> str:
        return ""


class SlackForm(FlaskForm):
    url = SecretField("Slack incoming-webhook URL", validators=[Length(max=2000)])
    weekday = SelectField("Day", coerce=int, choices=[SelectChoice(n, day) for n, day in enumerate(WEEKDAYS)])
    hour = SelectField("Hour", coerce=int, choices=[SelectChoice(h, f"{h:02d}:00") for h in range(24)])
    enabled = BooleanField("Post every week")


class TestPostForm(FlaskForm):
    """The "Send a test post now" button: carries just the CSRF token."""
