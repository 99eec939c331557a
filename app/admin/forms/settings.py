"""The program settings form; field names are the setting keys so service errors land in place."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.models import Status

NUMBER_FIELDS = ("silver_points", "gold_points", "platinum_points", "platinum_gold_months",
                 "evidence_max_mb", "leaderboard_size")


class SettingsForm(FlaskForm):
    program_name = StringField("Program name", validators=[DataRequired(), Length(max=80)])
    timezone = StringField("Timezone (IANA name, e.g. Europe/Berlin)",
                           validators=[DataRequired(), Length(max=64)])
    silver_points = IntegerField("Silver: lifetime points", validators=[InputRequired()])
    gold_points = IntegerField("Gold: lifetime points", validators=[InputRequired()])
    platinum_points = IntegerField("Platinum: lifetime points", validators=[InputRequired()])
    platinum_gold_months = IntegerField("Platinum: months at Gold", validators=[InputRequired()])
    perks_bronze = TextAreaField("Bronze perks", validators=[Length(max=500)])
    perks_silver = TextAreaField("Silver perks", validators=[Length(max=500)])
    perks_gold = TextAreaField("Gold perks", validators=[Length(max=500)])
    perks_platinum = TextAreaField("Platinum perks", validators=[Length(max=500)])
    evidence_max_mb = IntegerField("Largest evidence file (MB)", validators=[InputRequired()])
    leaderboard_size = IntegerField("Leaderboard size", validators=[InputRequired()])

    def changes(self) -> dict:
        keys = ["program_name", "timezone", *NUMBER_FIELDS, *(f"perks_{s.value}" for s in Status)]
        return {key: (getattr(self, key).data.strip() if isinstance(getattr(self, key).data, str)
                      else getattr(self, key).data) for key in keys}
