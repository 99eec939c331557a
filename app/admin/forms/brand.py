"""The brand forms (Admin → Brand): name and colour, the two images, and the welcome text.
Field names are the setting keys (or the image kind) so service errors land next to the field."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.services.program.settings import WELCOME_MAX


class BrandForm(FlaskForm):
    program_name = StringField("Program name", validators=[DataRequired(), Length(max=80)],
                               render_kw={"autocomplete": "organization"})
    brand_color = StringField("Primary colour (hex, e.g. #0b5cad; empty for the stock blue)",
                              validators=[Length(max=7)], render_kw={"autocomplete": "off",
                                                                      "placeholder": "#0172ad"})

    def changes(self) -> dict:
        return {"program_name": self.program_name.data.strip(), "brand_color": self.brand_color.data.strip()}


IMAGE_TYPES = {"accept": "image/png,image/jpeg,image/webp"}  # the picker's hint; the server checks the bytes
CHOOSE = FileRequired("Choose an image.")


class LogoForm(FlaskForm):
    logo = FileField("Logo (PNG, JPEG or WebP, up to 2 MB)", validators=[CHOOSE], render_kw=IMAGE_TYPES)


class FaviconForm(FlaskForm):
    favicon = FileField("Favicon (PNG, JPEG or WebP, up to 2 MB)", validators=[CHOOSE], render_kw=IMAGE_TYPES)


IMAGE_FORMS = {"logo": LogoForm, "favicon": FaviconForm}


class WelcomeForm(FlaskForm):
    welcome_text = TextAreaField("Welcome text on the portal's home", validators=[Length(max=WELCOME_MAX)],
                                 render_kw={"rows": 4})
