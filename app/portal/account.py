"""The advocate's own records: points history, status, notifications and preferences."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.badge_links import linkedin
from app.extensions import db
from app.forms_support import ButtonForm, commit_or_attach
from app.models import AskFrequency, Status
from app.portal import bp
from app.portal.forms import AvatarForm, EmailPreferencesForm, PreferencesForm
from app.services import badges, clock
from app.services.messaging import notifications
from app.services.missions import eligibility
from app.services.people import accounts, preferences
from app.services.points import ledger
from app.services.points import status as status_service
from app.services.program import settings as settings_service

PAGE_SIZE = 25


@bp.get("/points")
def points():
    page = max(1, request.args.get("page", 1, type=int) or 1)
    entries = ledger.entries_for(db.session, advocate_id=current_user.id, limit=PAGE_SIZE + 1,
                                 offset=(page - 1) * PAGE_SIZE)
    return render_template("portal/points.html", entries=entries[:PAGE_SIZE], page=page,
                           has_next=len(entries) > PAGE_SIZE)


@bp.get("/status")
def status():
    now = clock.utcnow()
    offers = eligibility.offers_for(db.session, current_user, now)
    return render_template(
        "portal/status.html",
        progress=status_service.progress(db.session, current_user, now, offers=offers),
        statuses=list(Status), ladder=status_service.ladder(settings_service.load(db.session)),
        history=status_service.history(db.session, advocate_id=current_user.id),
        badges=[(b, linkedin(b)) for b in badges.for_advocate(db.session, advocate_id=current_user.id)],
    )


NOTIFICATIONS_SHOWN = 50


@bp.get("/notifications")
def notifications_list():
    items = notifications.recent(db.session, advocate_id=current_user.id, limit=NOTIFICATIONS_SHOWN)
    return render_template("portal/notifications.html", items=items, limit=NOTIFICATIONS_SHOWN,
                           form=ButtonForm())


@bp.post("/notifications/read")
def notifications_read():
    if ButtonForm().validate_on_submit():
        count = notifications.mark_all_read(db.session, advocate_id=current_user.id, now=clock.utcnow())
        db.session.commit()
        flash("All caught up." if count else "Nothing new to mark.", "success")
    return redirect(url_for("portal.notifications_list"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    # Saved values only prefill GET: on POST an unticked box must read as off, even in an empty body.
    form = PreferencesForm(data=_saved_preferences() if request.method == "GET" else None)
    if form.validate_on_submit():
        accounts.update_preferences(db.session, advocate=current_user,
                                    high_frequency=form.high_frequency.data,
                                    leaderboard_opt_out=form.leaderboard_opt_out.data)
        db.session.commit()
        flash("Your preferences are saved.", "success")
        return redirect(url_for("portal.profile"))
    return profile_page(form=form)


def profile_page(*, form=None, email_form=None, avatar_form=None, status: int = 200):
    """The profile page; a form given in (one that failed) keeps its errors, the rest start fresh."""
    return render_template(
        "portal/profile.html", form=form or PreferencesForm(formdata=None, data=_saved_preferences()),
        email_form=email_form or _saved_email_form(), avatar_form=avatar_form or AvatarForm(formdata=None),
        remove_form=ButtonForm()), status


@bp.post("/profile/emails")
def email_preferences():
    """The signed-in advocate's own email choices: a ticked category is wanted, the rest are off."""
    email_form = EmailPreferencesForm()
    if email_form.validate_on_submit():
        wanted = set(email_form.emails.data or ())
        done, _ = commit_or_attach(email_form, lambda: preferences.set_email_opt_outs(
            db.session, advocate=current_user, now=clock.utcnow(),
            opt_outs=[category for category in preferences.EMAIL_CATEGORIES if category not in wanted]))
        if done:
            flash("Your email choices are saved.", "success")
            return redirect(url_for("portal.profile"))
    return profile_page(email_form=email_form)


def _saved_preferences() -> dict:
    return {"high_frequency": current_user.ask_frequency == AskFrequency.HIGH,
            "leaderboard_opt_out": current_user.leaderboard_opt_out}


def _saved_email_form() -> EmailPreferencesForm:
    wanted = [choice.category for choice in preferences.email_choices(current_user) if choice.wanted]
    return EmailPreferencesForm(formdata=None, data={"emails": wanted})
