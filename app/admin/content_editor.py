"""The case-study editor: challenge → solution → results → quote, one step per page, each saved as
you go; then the final text is sent to the advocate, who approves it in the portal."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.content import _act, _item, marketing
from app.admin.forms.content import StepForm
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import ContentKind
from app.services import clock, content
from app.services.content.case_studies import STEP_LABELS, final_text

HINTS = {"challenge": "What was hard before: the problem, its cost, what they had tried.",
         "solution": "What they did with us: the rollout, who was involved, how long it took.",
         "results": "What changed, in numbers where possible: time saved, revenue, adoption.",
         "quote": "One or two sentences in the advocate's own words."}


def _case_study(item_id: int):
    item = _item(item_id)
    if item.kind != ContentKind.CASE_STUDY:
        abort(404)
    return item


def _render(item, step: str | None, form=None, status=200):
    if step is not None and form is None:
        form = StepForm(data={"text": getattr(item, step) or ""})
    return render_template("admin/content_editor.html", item=item, step=step, form=form, steps=content.STEPS,
                           labels=STEP_LABELS, hints=HINTS, final=final_text(item), send_form=ButtonForm(),
                           missing=content.next_step(item)), status


@bp.get("/content/<int:item_id>/editor")
@marketing
def content_editor(item_id: int):
    item = _case_study(item_id)
    step = request.args.get("step")
    if step not in content.STEPS:
        step = content.next_step(item) if step != "review" else None
    return _render(item, step)


@bp.post("/content/<int:item_id>/editor/<step>")
@marketing
def content_editor_save(item_id: int, step: str):
    item = _case_study(item_id)
    if step not in content.STEPS:
        abort(404)
    form = StepForm()
    if form.validate_on_submit():
        ok, _ = commit_or_attach(form, lambda: content.save_step(db.session, item_id=item_id, step=step,
                                                                 text=form.text.data))
        if ok:
            flash(f"{STEP_LABELS[step]} saved.", "success")
            following = content.STEPS[content.STEPS.index(step) + 1:]
            return redirect(url_for("admin.content_editor", item_id=item_id,
                                    step=following[0] if following else "review"))
    return _render(item, step, form, 422)


@bp.post("/content/<int:item_id>/send")
@marketing
def content_send(item_id: int):
    _case_study(item_id)
    return _act(item_id, lambda: content.send_for_approval(db.session, item_id=item_id, now=clock.utcnow()),
                "Sent: the advocate is asked to approve the final text in the portal.")
