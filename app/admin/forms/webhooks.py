"""Forms for webhook endpoints (shape only; the service checks the address and the event types)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from app.admin.forms.fields import CheckboxListField
from app.services.webhooks import EVENT_TYPES


class EndpointForm(FlaskForm):
    url = StringField("Endpoint URL", validators=[DataRequired("Enter the URL that receives the events."),
                                                 Length(max=2000)])
    event_types = CheckboxListField("Events to send",
                                    choices=[SelectChoice(key, f"{label} ({key})")
                                             for key, label in EVENT_TYPES.items()],
                                    validate_choice=False)


class EditEndpointForm(EndpointForm):
    active = BooleanField("On: deliver its events (off: they wait until it is turned back on)")

