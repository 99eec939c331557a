"""The program settings form; field names are the setting keys so service errors land in place."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.admin.forms.fields import CheckboxListField, enum_choices
from app.models import ActivityKind, Status
from app.services.program.settings import SCORE_WEIGHTS
from app.services.program.status_rules import KIND_SETTINGS

NUMBER_FIELDS = (
    "silver_points", "gold_points", "platinum_points", "platinum_gold_months",
    "evidence_max_mb", "leaderboard_size",
    # Reminders and escalations
    "reminder_after_start_hours", "reminder_before_deadline_hours", "escalate_csm_days_before",
    "escalate_approval_days",
    # Ask governor
    "ask_gap_days_standard", "ask_year_cap_standard", "ask_gap_days_high", "ask_year_cap_high", "ask_min_nps",
    # Re-engagement
    "reengage_first_days", "reengage_second_days", "reengage_third_days",
    # Trigger events
    "trigger_followup_hours",
    # Referrals
    "referral_qualified_points", "referral_converted_points", "referral_burst_per_hour",
    # References
    "reference_quarter_cap", "reference_answer_days",
    # Attribution and ROI
    "influenced_lift_percent",
    # Advocate identification
    *SCORE_WEIGHTS, "score_recovered_bonus", "eligible_min_nps", "eligible_min_health",
    "eligible_min_tenure_months", "eligible_active_days",
)

TEXT_FIELDS = ("referral_referrer_offer", "referral_friend_offer", "currency")
CHOICE_FIELDS = ("reference_min_status",)


class SettingsForm(FlaskForm):
    program_name = StringField("Program name", validators=[DataRequired(), Length(max=80)],
                               render_kw={"autocomplete": "organization"})
    timezone = StringField("Timezone (IANA name, e.g. Europe/Berlin)",
                           validators=[DataRequired(), Length(max=64)])
    currency = StringField("Currency (ISO 4217 code, e.g. USD)", validators=[DataRequired(), Length(max=3)],
                           filters=[lambda value: value.strip().upper() if isinstance(value, str) else value])
    silver_points = IntegerField("Silver: lifetime points", validators=[InputRequired()])
    gold_points = IntegerField("Gold: lifetime points", validators=[InputRequired()])
    platinum_points = IntegerField("Platinum: lifetime points", validators=[InputRequired()])
    platinum_gold_months = IntegerField("Platinum: months at Gold", validators=[InputRequired()])
    silver_qualifying_kinds = CheckboxListField("Silver also needs one approved activity of these kinds",
                                                choices=enum_choices(ActivityKind))
    gold_qualifying_kinds = CheckboxListField("Gold also needs one approved activity of these kinds",
                                              choices=enum_choices(ActivityKind))
    perks_bronze = TextAreaField("Bronze perks", validators=[Length(max=500)])
    perks_silver = TextAreaField("Silver perks", validators=[Length(max=500)])
    perks_gold = TextAreaField("Gold perks", validators=[Length(max=500)])
    perks_platinum = TextAreaField("Platinum perks", validators=[Length(max=500)])
    evidence_max_mb = IntegerField("Largest evidence file (MB)", validators=[InputRequired()])
    leaderboard_size = IntegerField("Leaderboard size", validators=[InputRequired()])
    feed_public_kinds = CheckboxListField("The community feed shows approved missions of these kinds",
                                          choices=enum_choices(ActivityKind))

    reminder_after_start_hours = IntegerField("Remind after start (hours)", validators=[InputRequired()])
    reminder_before_deadline_hours = IntegerField("Remind before the deadline (hours)",
                                                  validators=[InputRequired()])
    escalate_csm_days_before = IntegerField("Tell the CSM (days before the deadline)",
                                            validators=[InputRequired()])
    escalate_approval_days = IntegerField("Escalate waiting approvals after (days)",
                                          validators=[InputRequired()])

    ask_gap_days_standard = IntegerField("Standard: days between asks", validators=[InputRequired()])
    ask_year_cap_standard = IntegerField("Standard: asks per year", validators=[InputRequired()])
    ask_gap_days_high = IntegerField("More often: days between asks", validators=[InputRequired()])
    ask_year_cap_high = IntegerField("More often: asks per year", validators=[InputRequired()])
    ask_min_nps = IntegerField("Lowest NPS we still ask", validators=[InputRequired()])

    reengage_first_days = IntegerField("Check-in after (days inactive)", validators=[InputRequired()])
    reengage_second_days = IntegerField("Update after (days inactive)", validators=[InputRequired()])
    reengage_third_days = IntegerField("Last message after (days inactive)", validators=[InputRequired()])

    trigger_followup_hours = IntegerField("Follow up a trigger ask after (hours)",
                                          validators=[InputRequired()])

    referral_referrer_offer = TextAreaField("What the referrer gets",
                                            validators=[DataRequired(), Length(max=300)])
    referral_friend_offer = TextAreaField("What the friend gets",
                                          validators=[DataRequired(), Length(max=300)])
    referral_qualified_points = IntegerField("Points when a referral qualifies", validators=[InputRequired()])
    referral_converted_points = IntegerField("Points when a referral converts", validators=[InputRequired()])
    referral_burst_per_hour = IntegerField("Submissions per link per hour", validators=[InputRequired()])

    reference_min_status = SelectField("Lowest status asked for references",
                                       choices=[SelectChoice(s.value, s.label) for s in Status])
    reference_quarter_cap = IntegerField("References per advocate per quarter", validators=[InputRequired()])
    reference_answer_days = IntegerField("Days to answer before the next match is asked",
                                         validators=[InputRequired()])

    influenced_lift_percent = IntegerField("Influenced revenue counted as lift in ROI (%)",
                                           validators=[InputRequired()])

    score_weight_nps = IntegerField("NPS", validators=[InputRequired()])
    score_weight_usage = IntegerField("Product usage depth", validators=[InputRequired()])
    score_weight_health = IntegerField("Health score", validators=[InputRequired()])
    score_weight_purchases = IntegerField("Purchases and renewals", validators=[InputRequired()])
    score_weight_recency = IntegerField("Recent purchase or renewal", validators=[InputRequired()])
    score_weight_csat = IntegerField("Support CSAT", validators=[InputRequired()])
    score_weight_tenure = IntegerField("Tenure", validators=[InputRequired()])
    score_weight_referrals = IntegerField("Organic referrals made", validators=[InputRequired()])
    score_weight_social = IntegerField("Social mentions", validators=[InputRequired()])
    score_recovered_bonus = IntegerField("Recovered-customer bonus (points)", validators=[InputRequired()])
    eligible_min_nps = IntegerField("Lowest NPS", validators=[InputRequired()])
    eligible_min_health = IntegerField("Lowest health score", validators=[InputRequired()])
    eligible_min_tenure_months = IntegerField("Customer for at least (months)", validators=[InputRequired()])
    eligible_active_days = IntegerField("Used the product within (days)", validators=[InputRequired()])

    def changes(self) -> dict:
        keys = ["program_name", "timezone", *NUMBER_FIELDS, *TEXT_FIELDS, *CHOICE_FIELDS,
                *(f"perks_{s.value}" for s in Status), *KIND_SETTINGS.values(), "feed_public_kinds"]
        return {key: (getattr(self, key).data.strip() if isinstance(getattr(self, key).data, str)
                      else getattr(self, key).data) for key in keys}

