"""A reference ask answered from its email (no sign-in): the signed link shows the request and
takes one answer while the ask waits for it."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from app.extensions import db
from app.forms_support import commit_or_attach
from app.public import bp
from app.services import clock, references
from app.services.errors import NotFound


def _links() -> references.AnswerLinks:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return references.AnswerLinks(secret=current_app.config["SECRET_KEY"], base_url=base)


def _ask(token: str):
    try:
        ask_id, advocate_id = references.read_token(current_app.config["SECRET_KEY"], token)
    except NotFound:
        abort(404)
    ask = references.ask_for(db.session, ask_id=ask_id, advocate_id=advocate_id)
    if ask is None:
        abort(404)
    return ask


@bp.get("/reference-answer/<token>")
def reference_answer(token: str):
    return render_template("public/reference_answer.html", ask=_ask(token), form=FlaskForm(), token=token)


@bp.post("/reference-answer/<token>")
def reference_answer_post(token: str):
    ask = _ask(token)
    form = FlaskForm()
    action = request.form.get("action")
    if action not in ("accept", "decline"):
        abort(400)
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: references.answer(
            db.session, ask_id=ask.id, advocate_id=ask.advocate_id, accept=action == "accept",
            now=clock.utcnow(), links=_links()))
        if done:
            flash("Thank you! We will be in touch to set up the call." if action == "accept"
                  else "Thank you for letting us know; we will ask someone else.", "success")
    return redirect(url_for("public.reference_answer", token=token))
