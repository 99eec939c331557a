"""References (SPEC §10): the advocate's choice to take reference calls and the use cases they speak
to; the calls they were asked for, to accept or decline, and their feedback after the call."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.extensions import db
from app.forms_support import commit_or_attach
from app.portal import bp
from app.services import clock, references

RATINGS = [SelectChoice(str(n), f"{n} of 5") for n in range(5, 0, -1)]


class ProfileForm(FlaskForm):
    opted_in = BooleanField("I am happy to take reference calls with prospective customers")
    use_cases = StringField("What I can speak to", validators=[Optional(), Length(max=400)])


class AnswerForm(FlaskForm):
    pass


class FeedbackForm(FlaskForm):
    rating = SelectField("How did the call go?", choices=RATINGS, coerce=int, validators=[InputRequired()])
    text = TextAreaField("Anything we should know (optional)", validators=[Optional(), Length(max=2000)])


def answer_links() -> references.AnswerLinks:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return references.AnswerLinks(secret=current_app.config["SECRET_KEY"], base_url=base)


def _page(profile_form=None, feedback_form=None, status: int = 200):
    profile = references.profile_of(db.session, current_user.id)
    if profile_form is None:
        profile_form = ProfileForm(data={"opted_in": bool(profile and profile.opted_in),
                                         "use_cases": ", ".join(profile.use_case_list) if profile else ""})
    return render_template("portal/references.html", profile_form=profile_form, answer_form=AnswerForm(),
                           feedback_form=feedback_form or FeedbackForm(),
                           points=references.points_for(db.session),
                           asks=references.asks_of(db.session, current_user.id)), status


@bp.get("/references")
def references_page():
    return _page()


@bp.post("/references/profile")
def references_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: references.set_profile(
            db.session, advocate_id=current_user.id, opted_in=form.opted_in.data,
            use_cases=form.use_cases.data, now=clock.utcnow()))
        if done:
            flash("Saved." if form.opted_in.data else "Saved: we will not ask you for reference calls.",
                  "success")
            return redirect(url_for("portal.references_page"))
    return _page(profile_form=form, status=422)


@bp.post("/references/asks/<int:ask_id>/<action>")
def references_answer(ask_id: int, action: str):
    if action not in ("accept", "decline"):
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: references.answer(
            db.session, ask_id=ask_id, advocate_id=current_user.id, accept=action == "accept",
            now=clock.utcnow(), links=answer_links()))
        if done:
            flash("Thank you! We will be in touch to set up the call." if action == "accept"
                  else "No problem: we will ask someone else.", "success")
    return redirect(url_for("portal.references_page"))


@bp.post("/references/asks/<int:ask_id>/feedback")
def references_feedback(ask_id: int):
    form = FeedbackForm()
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: references.advocate_feedback(
            db.session, ask_id=ask_id, advocate_id=current_user.id, rating=form.rating.data,
            text=form.text.data, author=current_user.name, now=clock.utcnow()))
        if done:
            flash("Thank you for your feedback.", "success")
            return redirect(url_for("portal.references_page"))
    return _page(feedback_form=form, status=422)
