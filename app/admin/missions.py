"""Missions: list by window, create, edit, archive (marketing and admin)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.catalog import MissionForm
from app.admin.forms.pictures import PictureForm
from app.confirmation import ask_first
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.services import clock
from app.services.missions import audiences, catalog
from app.services.periods import to_local
from app.services.program import settings as settings_service


def _timezone() -> str:
    return settings_service.load(db.session).timezone


@bp.get("/missions")
@curators
def missions_list():
    view = request.args.get("view", "open")
    if view not in catalog.MISSION_VIEWS:
        abort(404)
    return render_template("admin/missions.html", view=view, views=catalog.MISSION_VIEWS,
                           missions=catalog.missions(db.session, view=view, now=clock.utcnow()),
                           now=clock.utcnow(), confirm=ButtonForm())


def _mission_form(mission=None, *, fresh: bool = False) -> MissionForm:
    form = MissionForm(formdata=None) if fresh else MissionForm()
    if mission is not None and (fresh or not form.is_submitted()):
        _fill(form, mission)
    current = mission.activity_id if mission else None
    form.activity_id.choices = [SelectChoice(a.id, a.name) for a in catalog.activities(db.session)
                                if a.active or a.id == current]
    return form


def _offer_values(form: MissionForm, counts: dict[str, dict[str, int]]) -> None:
    """Each value picker offers the values advocates hold (with how many hold each), plus the
    values already chosen that nobody holds, so an old or API-made audience shows as it is."""
    for key in audiences.VALUE_KEYS:
        held, chosen = counts.get(key, {}), getattr(form, key).data or []
        getattr(form, key).choices = [
            *(SelectChoice(v, f"{v} ({n:,})") for v, n in held.items()),
            *(SelectChoice(v, f"{v} (no advocate)") for v in dict.fromkeys(chosen) if v not in held)]


def _fill(form: MissionForm, mission) -> None:
    tz, audience = _timezone(), mission.audience or {}
    form.title.data, form.instructions.data = mission.title, mission.instructions
    form.activity_id.data = mission.activity_id
    form.min_status.process_data(audience.get("min_status"))
    form.readiness_tiers.data = audience.get("readiness_tiers") or []
    for key in ("industries", "regions", "tags"):
        getattr(form, key).data = audience.get(key) or []
    form.advocate_emails.data = catalog.audience_emails(db.session, mission)
    form.opens_at.data = to_local(mission.opens_at, tz).replace(tzinfo=None)
    form.closes_at.data = to_local(mission.closes_at, tz).replace(tzinfo=None)
    form.completion_limit.data, form.points_override.data = mission.completion_limit, mission.points_override
    form.version_id.data = mission.version_id


def audience_of(form: MissionForm) -> catalog.Audience:
    """The audience part of a mission form (also read from a query string by the live count)."""
    tiers = [t for t in form.readiness_tiers.data or [] if t in (1, 2, 3)]
    return catalog.Audience(
        min_status=form.min_status.data, readiness_tiers=tiers,
        industries=form.industries.data or [], regions=form.regions.data or [], tags=form.tags.data or [],
        advocate_emails=form.advocate_emails.data or [])


def _values(form: MissionForm) -> catalog.MissionValues:
    return catalog.MissionValues(
        title=form.title.data, instructions=form.instructions.data, activity_id=form.activity_id.data,
        audience=audience_of(form), opens_local=form.opens_at.data, closes_local=form.closes_at.data,
        timezone=_timezone(), completion_limit=form.completion_limit.data,
        points_override=form.points_override.data)


def _unmatched_refused(form: MissionForm, unmatched: dict[str, list[str]]) -> bool:
    """A value no advocate holds is saved only with "save anyway" ticked; else say so at its field."""
    if not unmatched or form.save_anyway.data:
        return False
    for key, values in unmatched.items():
        getattr(form, key).errors.append(f"{nobody_text(values)} Tick “save anyway” below to keep it.")
    return True


def nobody_text(values: list[str]) -> str:
    names = ", ".join(f"“{v}”" for v in values)
    return f"{names} {'matches' if len(values) == 1 else 'match'} no advocate."


def _page(form: MissionForm, mission, unmatched: dict[str, list[str]],
          picture_form: PictureForm | None = None):
    found = audiences.preview(db.session, audience=audience_of(form), activity_id=form.activity_id.data)
    return render_template("admin/mission_form.html", form=form, mission=mission, timezone=_timezone(),
                           confirm=ButtonForm(), unmatched=unmatched, audience_count=found,
                           audience_text=count_text(found), nobody_text=nobody_text,
                           picture_form=picture_form or PictureForm(formdata=None),
                           remove_form=ButtonForm(formdata=None))


def picture_refused(mission, picture_form: PictureForm):
    """The mission's edit page as saved, with the refused picture upload's error at its field."""
    form = _mission_form(mission, fresh=True)
    return _page(form, mission, _offer_and_check(form), picture_form), 422


def _offer_and_check(form: MissionForm) -> dict[str, list[str]]:
    """Fill the value pickers; the chosen values no advocate holds, by field."""
    counts = audiences.value_counts(db.session)
    _offer_values(form, counts)
    chosen = {key: getattr(form, key).data or [] for key in audiences.VALUE_KEYS}
    return audiences.unmatched(chosen, counts)


def count_text(found: audiences.AudienceCount) -> str:
    if not found.matching:
        text = "No advocate matches this audience: nobody would see this mission."
    else:
        people = "1 advocate matches" if found.matching == 1 else f"{found.matching:,} advocates match"
        text = f"{people} this audience, {found.active:,} of them active."
    if found.unknown_emails:
        text += f" No advocate has the email {', '.join(found.unknown_emails[:5])}."
    return text


def _save(form: MissionForm, mission_id: int | None):
    version = int(form.version_id.data) if str(form.version_id.data or "").isdigit() else None
    return commit_or_attach(form, lambda: catalog.save_mission(
        db.session, values=_values(form), actor_id=current_user.id, now=clock.utcnow(),
        mission_id=mission_id, expected_version=version))


def _edit(mission=None):
    """The mission form, for a new mission or an existing one: save, or show the audience first."""
    form = _mission_form(mission)
    unmatched = _offer_and_check(form)
    if form.validate_on_submit() and not form.check.data and not _unmatched_refused(form, unmatched):
        done, saved = _save(form, mission.id if mission else None)
        if done:
            flash("Mission saved." if mission else f"Mission “{saved.title}” created.", "success")
            return redirect(url_for("admin.missions_list", view=_view_of(saved)))
    return _page(form, mission, unmatched)


@bp.route("/missions/new", methods=["GET", "POST"])
@curators
def mission_new():
    return _edit()


@bp.route("/missions/<int:mission_id>", methods=["GET", "POST"])
@curators
def mission_edit(mission_id: int):
    return _edit(catalog.get_mission(db.session, mission_id))


@bp.post("/missions/<int:mission_id>/archive")
@curators
def mission_archive(mission_id: int):
    archived = request.form.get("archived", "1") == "1"
    if archived:
        asked = ask_first("archive_mission", cancel_url=url_for("admin.mission_edit", mission_id=mission_id),
                          title=catalog.get_mission(db.session, mission_id).title)
        if asked:
            return asked
    if ButtonForm().validate_on_submit():
        catalog.set_mission_archived(db.session, mission_id=mission_id, archived=archived)
        db.session.commit()
        flash("Mission archived." if archived else "Mission restored.", "success")
    return redirect(url_for("admin.missions_list", view="archived" if archived else "open"))


def _view_of(mission) -> str:
    now = clock.utcnow()
    if mission.archived:
        return "archived"
    if mission.opens_at > now:
        return "upcoming"
    return "closed" if mission.closes_at <= now else "open"
