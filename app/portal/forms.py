"""Portal forms: shape validation only; the services decide the rules."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, AnyOf, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import ContentUse
from app.services.people.preferences import EMAIL_CATEGORIES


class DeclineForm(FlaskForm):
    reason = TextAreaField("Why not? (optional)", validators=[Optional(), Length(max=500)])


class LinkEvidenceForm(FlaskForm):
    link = URLField("Link to your work", validators=[
        DataRequired("Paste the link to your work."),
        URL(require_tld=True, message="Give the full link, starting with https://"),
        Length(max=2000)])


def _stars(value) -> int | None:
    return int(value) if value not in (None, "") else None


class ReviewEvidenceForm(LinkEvidenceForm):
    """A review's link, and its stars and platform (the figures' average review rating)."""

    rating = SelectField("Your star rating", coerce=_stars, validate_choice=False, choices=[
        SelectChoice("", "Choose…"),
        *(SelectChoice(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1))],
        validators=[Optional(), AnyOf(range(1, 6), message="Choose 1 to 5 stars.")])
    platform = StringField("Where you posted it", validators=[Optional(), Length(max=80)])


class TextEvidenceForm(FlaskForm):
    text = TextAreaField("What did you do?", validators=[
        DataRequired("Tell us what you did."), Length(max=10_000)])


class FileEvidenceForm(FlaskForm):
    file = FileField("Your file", validators=[FileRequired("Attach a file.")])


class AvatarForm(FlaskForm):
    avatar = FileField("Your picture (PNG, JPEG or WebP, up to 2 MB)",
                       validators=[FileRequired("Choose a picture.")])


class PreferencesForm(FlaskForm):
    high_frequency = BooleanField("Ask me more often")
    leaderboard_opt_out = BooleanField("Hide me from public leaderboards")


class EmailPreferencesForm(FlaskForm):
    """The email categories the advocate wants (ticked); the rest become their opt-outs."""

    emails = SelectMultipleField(
        "Email me about", choices=[SelectChoice(key, label) for key, label in EMAIL_CATEGORIES.items()],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class RedeemForm(FlaskForm):
    note = TextAreaField("Anything we need to know? (optional)", validators=[Optional(), Length(max=1000)])
    request_key = HiddenField()  # one per rendered form: a double click redeems once


class EraseForm(FlaskForm):
    password = PasswordField("Your current password", validators=[
        DataRequired("Enter your current password to confirm."), Length(max=200)],
        render_kw={"autocomplete": "current-password"})
    understood = BooleanField("I understand this cannot be undone", validators=[
        DataRequired("Tick the box to confirm.")])


class ConsentForm(FlaskForm):
    """Grant (yes) or withdraw (no) one use of one of the advocate's content items."""

    use = HiddenField(validators=[DataRequired(), AnyOf([use.value for use in ContentUse])])
    granted = HiddenField(validators=[DataRequired(), AnyOf(["yes", "no"])])
