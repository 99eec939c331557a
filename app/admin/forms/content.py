"""Staff forms of the content library (shape only; the content service checks the rules)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from app.admin.forms.fields import EnumSelectField
from app.models import ContentKind, ContentUse


class TagsForm(FlaskForm):
    segment = StringField("Segment", validators=[Optional(), Length(max=80)])
    industry = StringField("Industry", validators=[Optional(), Length(max=80)])
    use_case = StringField("Use case", validators=[Optional(), Length(max=80)])
    outcome = StringField("Outcome", validators=[Optional(), Length(max=80)])

    def tags(self) -> dict:
        names = ("segment", "industry", "use_case", "outcome")
        return {name: getattr(self, name).data or "" for name in names}


class NewContentForm(TagsForm):
    kind = EnumSelectField("Kind", ContentKind, blank="Choose…",
                           validators=[DataRequired("Choose a kind.")])
    title = StringField("Title", validators=[Optional(), Length(max=160)], render_kw={"autocomplete": "off"})
    text = TextAreaField("Text", validators=[Optional(), Length(max=5000)])
    link = URLField("Link (a video, a published review)", validators=[Optional(), Length(max=2000)])
    rating = IntegerField("Rating (reviews, 1–5)", validators=[
        Optional(), NumberRange(min=1, max=5, message="A rating is 1 to 5 stars.")])
    platform = StringField("Platform (reviews)", validators=[Optional(), Length(max=80)])
    advocate_email = StringField("The advocate's email (if the author is an advocate)",
                                 validators=[Optional(), Length(max=254)], render_kw={"autocomplete": "off"})
    author_name = StringField("Or the author's name", validators=[Optional(), Length(max=120)],
                              render_kw={"autocomplete": "off"})
    author_company = StringField("The author's company", validators=[Optional(), Length(max=120)],
                                 render_kw={"autocomplete": "off"})


class StepForm(FlaskForm):
    text = TextAreaField("Text", validators=[DataRequired("Write this step."), Length(max=5000)])


class StaffConsentForm(FlaskForm):
    """Consent recorded by staff for a named person without an account (e.g. a signed release)."""

    use = HiddenField(validators=[DataRequired(), AnyOf([use.value for use in ContentUse])])
    granted = HiddenField(validators=[DataRequired(), AnyOf(["yes", "no"])])
