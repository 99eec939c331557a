"""No status out of reach (SPEC §5): the qualifying kinds of Silver and Gold are settings, checked
against the catalog; a catalog edit that would leave a status out of reach is refused too; the way
to each unmet requirement is an attempt under way, an open mission, or "none open right now"."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import ActivityKind, ActivityType, AdvocateState, ProgramSetting, Status
from app.services import missions
from app.services.errors import ValidationFailed
from app.services.missions import catalog, eligibility
from app.services.missions.attempts import EvidenceInput
from app.services.missions.default_catalog import load_catalog
from app.services.points import status as status_service
from app.services.program import settings
from app.services.program.status_rules import Offered, unreachable_reason
from tests.factories import make_activity, make_advocate, make_mission, make_staff

K, S = ActivityKind, Status


def save_kinds(session, now, **kinds):
    return settings.save(session, changes={f"{s}_qualifying_kinds": v for s, v in kinds.items()},
                         actor_id=None, now=now)


def refused(session, now, **kinds) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as error:
        save_kinds(session, now, **kinds)
    assert session.scalars(select(ProgramSetting)).all() == []
    return error.value


# -- the rule --------------------------------------------------------------------------------------

def test_the_rule_reads_active_activities_below_the_status():
    review = Offered("Review", K.REVIEW, S.BRONZE)
    assert unreachable_reason([review], S.SILVER, [K.REVIEW]) is None
    assert "no active activity of that kind exists" in unreachable_reason([review], S.SILVER, [K.BETA])
    dormant = Offered("Review", K.REVIEW, S.BRONZE, active=False)
    assert "no active activity" in unreachable_reason([dormant], S.SILVER, [K.REVIEW, K.TESTIMONIAL])
    call = Offered("Reference call", K.REFERENCE_CALL, S.SILVER)
    reason = unreachable_reason([call], S.SILVER, [K.REFERENCE_CALL])
    assert reason == ("Silver needs one approved reference call, but every active one is offered only from "
                      "Silver or higher (Reference call: Silver), so nobody below Silver could do it.")
    assert unreachable_reason([call], S.GOLD, [K.REFERENCE_CALL]) is None


# -- settings -------------------------------------------------------------------------------------

def test_the_default_kinds_are_a_review_or_testimonial_and_a_case_study(session):
    cfg = settings.load(session)
    assert settings.kinds_for(cfg, S.SILVER) == (K.REVIEW, K.TESTIMONIAL)
    assert settings.kinds_for(cfg, S.GOLD) == (K.CASE_STUDY,)
    assert settings.kinds_for(cfg, S.PLATINUM) == ()


def test_kinds_that_reach_the_status_are_saved_in_catalog_order(session, now):
    load_catalog(session, now)
    save_kinds(session, now, silver=["testimonial", "beta", "testimonial"], gold=["reference_call"])
    cfg = settings.load(session)
    assert cfg.silver_qualifying_kinds == ["testimonial", "beta"]
    assert settings.kinds_for(cfg, S.GOLD) == (K.REFERENCE_CALL,)


def test_a_setting_that_makes_silver_unreachable_is_refused_with_the_reason(session, now):
    load_catalog(session, now)
    error = refused(session, now, silver=["reference_call", "case_study"])
    assert error.field == "silver_qualifying_kinds"
    assert error.message.startswith(
        "Silver needs one approved reference call or case study, but every active one is offered only "
        "from Silver or higher (Reference call: Silver, Case study: Silver)")


def test_a_setting_that_makes_gold_unreachable_is_refused_with_the_reason(session, now):
    load_catalog(session, now)
    error = refused(session, now, gold=["webinar", "speaking"])
    assert error.field == "gold_qualifying_kinds" and "Webinar guest: Gold" in error.message


def test_a_kind_with_no_active_activity_is_refused(session, now):
    load_catalog(session, now)
    error = refused(session, now, silver=["content"])
    assert error.field == "silver_qualifying_kinds"
    assert "no active activity of that kind exists" in error.message


@pytest.mark.parametrize(("kinds", "message"), [
    ([], "Choose at least one kind of activity that qualifies for Silver."),
    (["review", "poem"], "Unknown activity kind 'poem'."),
    ("review", "Choose at least one kind of activity that qualifies for Silver."),
])
def test_kinds_must_be_a_non_empty_list_of_known_kinds(session, now, kinds, message):
    load_catalog(session, now)
    error = refused(session, now, silver=kinds)
    assert (error.field, error.message) == ("silver_qualifying_kinds", message)


def test_other_settings_still_save_while_the_catalog_is_empty(session, now):
    settings.save(session, changes={"timezone": "Europe/Berlin"}, actor_id=None, now=now)
    assert settings.load(session).timezone == "Europe/Berlin"


# -- catalog edits ---------------------------------------------------------------------------------

def activity_values(activity: ActivityType, **changes) -> catalog.ActivityValues:
    names = catalog.ActivityValues.__dataclass_fields__
    return catalog.ActivityValues(**{name: changes.get(name, getattr(activity, name)) for name in names})


def edit(session, now, activity, **changes):
    return catalog.save_activity(session, values=activity_values(activity, **changes), now=now,
                                 activity_id=activity.id)


@pytest.mark.parametrize(("change", "field"), [
    ({"min_status": S.SILVER}, "min_status"),
    ({"active": False}, "active"),
    ({"kind": K.SOCIAL_POST}, "kind"),
])
def test_a_catalog_edit_that_makes_silver_unreachable_is_refused(session, now, change, field):
    activities = load_catalog(session, now)
    edit(session, now, activities["review_site"], min_status=S.SILVER)  # the testimonial is still Bronze
    session.commit()
    quote = activities["testimonial_quote"]
    with pytest.raises(ValidationFailed) as error:
        edit(session, now, quote, **change)
    session.rollback()
    assert error.value.field == field
    assert error.value.message.startswith("Not saved: this would put Silver out of reach. Silver needs one "
                                          "approved review or testimonial")
    assert (quote.min_status, quote.active, quote.kind) == (S.BRONZE, True, K.TESTIMONIAL)


def test_a_catalog_edit_that_makes_gold_unreachable_is_refused(session, now):
    activities = load_catalog(session, now)
    with pytest.raises(ValidationFailed) as error:
        edit(session, now, activities["case_study"], min_status=S.PLATINUM)
    assert error.value.field == "min_status" and "put Gold out of reach" in error.value.message


def test_edits_that_keep_every_status_reachable_save(session, now):
    activities = load_catalog(session, now)
    edit(session, now, activities["case_study"], min_status=S.BRONZE, name="Customer story")
    edit(session, now, activities["review_site"], active=False)
    assert activities["case_study"].name == "Customer story" and not activities["review_site"].active


def test_an_edit_elsewhere_saves_even_when_a_status_was_already_out_of_reach(session, now):
    # No review, testimonial or case study at all: Silver and Gold are out of reach already.
    webinar = make_activity(session, kind=K.WEBINAR, min_status=S.GOLD)
    edit(session, now, webinar, name="Guest on our webinar")
    assert webinar.name == "Guest on our webinar"


# -- the way to an unmet requirement ---------------------------------------------------------------

def activity_requirement(session, advocate, now):
    return status_service.progress(
        session, advocate, now, offers=eligibility.offers_for(session, advocate, now)).requirements[1]


def test_an_unmet_requirement_names_an_open_mission_the_advocate_can_take(session, now):
    advocate = make_advocate(session)
    quote = make_mission(session, title="Give us a quote", closes_at=now + timedelta(days=40),
                         activity=make_activity(session, kind=K.TESTIMONIAL))
    make_mission(session, title="Call a prospect", activity=make_activity(session, kind=K.REFERENCE_CALL))
    make_mission(session, title="Silver-only review",
                 activity=make_activity(session, kind=K.REVIEW, min_status=S.SILVER))
    make_mission(session, title="For banks", audience={"industries": ["Banking"]},
                 activity=make_activity(session, kind=K.REVIEW))
    make_mission(session, title="Closed review", activity=make_activity(session, kind=K.REVIEW),
                 closes_at=now - timedelta(days=1))
    req = activity_requirement(session, advocate, now)
    assert not req.done and (req.way.attempt, req.way.mission) == (None, quote)


def test_with_nothing_open_the_way_is_empty(session, now):
    advocate = make_advocate(session)
    make_mission(session, activity=make_activity(session, kind=K.SOCIAL_POST))
    req = activity_requirement(session, advocate, now)
    assert (req.way.attempt, req.way.mission) == (None, None)
    paused = make_advocate(session, state=AdvocateState.PAUSED)
    make_mission(session, activity=make_activity(session, kind=K.REVIEW))
    req = activity_requirement(session, paused, now)
    assert (req.way.attempt, req.way.mission) == (None, None)


def test_a_submission_waiting_for_approval_is_the_way(session, now):
    advocate = make_advocate(session)
    mission = make_mission(session, activity=make_activity(session, kind=K.REVIEW))
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                            evidence=EvidenceInput(link="https://example.com/r"), now=now)
    req = activity_requirement(session, advocate, now)
    assert (req.way.attempt, req.way.mission) == (attempt, None)


def test_a_met_requirement_has_no_way_and_platinum_says_when_it_comes_due(session, now):
    from app.services.periods import add_months

    gold_since = now - timedelta(days=10)
    advocate = make_advocate(session, status=S.GOLD, status_since=gold_since, lifetime_points=8000)
    points, months = status_service.progress(
        session, advocate, now, offers=eligibility.offers_for(session, advocate, now)).requirements
    assert points.done and points.way is None
    assert not months.done and months.due == add_months(gold_since, 6)


# -- both engines ----------------------------------------------------------------------------------


def test_the_qualifying_query_and_the_reference_award_on_both_engines(any_session, now):
    from app.models import LedgerReason
    from app.services.points import ledger

    session = any_session
    load_catalog(session, now)
    reviewer, referee = make_advocate(session), make_advocate(session)
    review = make_mission(session, activity=session.scalars(
        select(ActivityType).where(ActivityType.key == "review_site")).one())
    attempt = missions.start_mission(session, advocate=reviewer, mission_id=review.id, now=now)
    missions.submit_attempt(session, advocate=reviewer, attempt_id=attempt.id,
                            evidence=EvidenceInput(link="https://example.com/r"), now=now)
    ledger.post_entry(session, advocate_id=reviewer.id, amount=1000, reason=LedgerReason.BONUS,
                      idempotency_key="bonus:r", now=now)
    assert reviewer.status == S.BRONZE  # submitted, not approved
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=attempt.id, now=now)
    assert reviewer.status == S.SILVER
    save_kinds(session, now, silver=["review", "reference_call"], gold=["reference_call"])
    ledger.post_entry(session, advocate_id=referee.id, amount=3000, reason=LedgerReason.REFERENCE,
                      idempotency_key="reference:1", now=now)
    assert referee.status == S.GOLD
