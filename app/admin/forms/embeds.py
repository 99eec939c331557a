"""The embed form (shape only; the service checks names, rows and origins)."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.services.community.embeds import MAX_ROWS, clean_origin
from app.services.errors import ValidationFailed


class EmbedForm(FlaskForm):
    name = StringField("Name (where it is shown)",
                       validators=[DataRequired("Name the embed."), Length(max=80)],
                       render_kw={"autocomplete": "off"})
    what = SelectField("What it shows", default="leaderboard", choices=[
        SelectChoice("leaderboard", "Leaderboard"),
        SelectChoice("feed", "Community feed (latest achievements)")])
    period = SelectField("Period (leaderboard)", default="week", choices=[
        SelectChoice("week", "This week"), SelectChoice("month", "This month"),
        SelectChoice("all_time", "All time")])
    region = StringField("Only this region (optional)", validators=[Optional(), Length(max=80)])
    industry = StringField("Only this industry (optional)", validators=[Optional(), Length(max=80)])
    rows = IntegerField("Rows (leaderboard) or items (feed)", default=10, validators=[
        InputRequired("Say how many rows."),
        NumberRange(1, MAX_ROWS, f"Show between 1 and {MAX_ROWS} rows.")])
    theme = SelectField("Theme", default="light",
                        choices=[SelectChoice("light", "Light"), SelectChoice("dark", "Dark")])
    names = SelectField("Names", default="full", choices=[
        SelectChoice("full", "Full name"), SelectChoice("first_initial", "First name and initial"),
        SelectChoice("company", "Company only")])
    origins = TextAreaField("Sites allowed to show it (one https origin a line)",
                            validators=[Length(max=2000)],
                            render_kw={"rows": 3, "placeholder": "https://community.example.com"})
    expires_at = DateTimeLocalField("Expires (optional)", format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def validate_origins(self, field) -> None:
        """Shown with the other shape errors at once (the service checks the same again)."""
        for line in self.origin_list():
            try:
                clean_origin(line)
            except ValidationFailed as error:
                raise ValidationError(error.message) from None

    def origin_list(self) -> tuple[str, ...]:
        return tuple(line for line in (self.origins.data or "").splitlines() if line.strip())
