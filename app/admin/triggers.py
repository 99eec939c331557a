"""Trigger events and their rules: the recent events with their outcome (every staff role; a CSM sees
their own book), recording one by hand and editing the rules (marketing and admin)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.triggers import EventForm, RuleForm
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import StaffRole
from app.services import clock, triggers
from app.services.errors import DomainError, ValidationFailed
from app.services.periods import to_local, to_utc
from app.services.program import settings as settings_service
from app.services.triggers import listing as trigger_listing
from app.services.triggers import rules as trigger_rules

PER_PAGE = 50
# Where the service's fields are shown on the manual entry form.
FORM_FIELDS = {"type": "event_type", "advocate.email": "advocate", "advocate.external_id": "advocate",
               "data.score": "score", "data.csat": "csat", "data.name": "milestone", "data": "event_type"}


@bp.context_processor
def _trigger_helpers():
    return {"event_type_labels": trigger_rules.TYPE_LABELS, "condition_text": trigger_rules.condition_text}


def _owner_id() -> int | None:
    return current_user.id if current_user.role == StaffRole.CSM else None


@bp.get("/events")
def events_list():
    page = max(1, request.args.get("page", 1, type=int))
    results, has_next = trigger_listing.recent_events(db.session, page=page, per_page=PER_PAGE,
                                                      owner_id=_owner_id())
    return render_template("admin/events.html", results=results, page=page, has_next=has_next)


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int):
    result = trigger_listing.get_event(db.session, event_id=event_id, owner_id=_owner_id())
    return render_template("admin/event.html", result=result, event=result.event)


def _record(form: EventForm, timezone: str) -> triggers.EventResult:
    value = form.advocate.data.strip()
    ref = (triggers.AdvocateRef(email=value) if form.identify_by.data == "email"
           else triggers.AdvocateRef(external_id=value))
    try:
        occurred_at = to_utc(form.occurred_at.data, timezone)
    except OverflowError:  # year 1 or 9999 moved past the calendar's end
        raise ValidationFailed("Not a valid date.", field="occurred_at") from None
    try:
        return triggers.record_event(
            db.session, event_type=form.event_type.data, advocate=ref,
            occurred_at=occurred_at, data=form.data_for(form.event_type.data),
            source="staff", actor_id=current_user.id, now=clock.utcnow())
    except DomainError as error:
        error.field = FORM_FIELDS.get(error.field, error.field)
        raise


@bp.route("/events/new", methods=["GET", "POST"])
@curators
def event_new():
    timezone = settings_service.load(db.session).timezone
    form = EventForm()
    if not form.is_submitted():
        form.occurred_at.data = to_local(clock.utcnow(), timezone).replace(tzinfo=None, second=0,
                                                                            microsecond=0)
    if form.validate_on_submit():
        done, result = commit_or_attach(form, lambda: _record(form, timezone))
        if done:
            flash("Event recorded.", "success")
            return redirect(url_for("admin.event_detail", event_id=result.event.id))
    return render_template("admin/event_form.html", form=form, timezone=timezone)


@bp.get("/triggers/rules")
@curators
def trigger_rules_list():
    return render_template("admin/trigger_rules.html", rules=trigger_rules.rules(db.session),
                           toggle=ButtonForm())


def _values(form: RuleForm) -> trigger_rules.RuleValues:
    return trigger_rules.RuleValues(form.event_type.data, form.min_value.data, form.max_value.data,
                                    form.activity_kind.data, form.priority.data, form.enabled.data)


@bp.route("/triggers/rules/new", methods=["GET", "POST"])
@curators
def trigger_rule_new():
    form = RuleForm()
    if form.validate_on_submit():
        done, rule = commit_or_attach(form, lambda: trigger_rules.save_rule(
            db.session, values=_values(form), now=clock.utcnow()))
        if done:
            flash(f"Rule added: {trigger_rules.condition_text(rule)}.", "success")
            return redirect(url_for("admin.trigger_rules_list"))
    return render_template("admin/trigger_rule_form.html", form=form, rule=None)


@bp.route("/triggers/rules/<int:rule_id>", methods=["GET", "POST"])
@curators
def trigger_rule_edit(rule_id: int):
    rule = trigger_rules.get_rule(db.session, rule_id)
    form = RuleForm(obj=rule)
    if form.validate_on_submit():
        done, _ = commit_or_attach(form, lambda: trigger_rules.save_rule(
            db.session, values=_values(form), now=clock.utcnow(), rule_id=rule_id))
        if done:
            flash("Rule saved.", "success")
            return redirect(url_for("admin.trigger_rules_list"))
    return render_template("admin/trigger_rule_form.html", form=form, rule=rule)


@bp.post("/triggers/rules/<int:rule_id>/toggle")
@curators
def trigger_rule_toggle(rule_id: int):
    rule = trigger_rules.get_rule(db.session, rule_id)
    if ButtonForm().validate_on_submit():
        trigger_rules.set_enabled(db.session, rule_id=rule.id, enabled=not rule.enabled, now=clock.utcnow())
        db.session.commit()
        flash(f"Rule {'enabled' if rule.enabled else 'disabled'}: {trigger_rules.condition_text(rule)}.",
              "success")
    return redirect(url_for("admin.trigger_rules_list"))
