"""A program set up by `program_setup.set_up` works from day one: the catalog is the demo's (one
source), the default trigger rules find a starter mission, and a new advocate has a way to Silver."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import ActivityKind, AskState, Mission, StaffUser, Status
from app.services import triggers
from app.services.errors import ValidationFailed
from app.services.missions import default_catalog, eligibility
from app.services.operations import setup as program_setup
from app.services.points import status as status_service
from seeds import catalog as seed_catalog
from tests.factories import make_advocate


def set_up(session, now, **overrides):
    values = dict(admin_email="ada@example.com", admin_name="Ada", now=now, valid_days=14)
    return program_setup.set_up(session, **{**values, **overrides})


def test_the_demo_and_setup_load_one_catalog():
    assert seed_catalog.load_catalog is default_catalog.load_catalog
    assert len(default_catalog.ACTIVITIES) == 11 and len(default_catalog.BANDS) == 4


def test_setup_invites_the_admin_and_opens_starter_missions_for_a_year(session, now):
    result = set_up(session, now)
    assert result.created and result.invite.email == "ada@example.com"
    assert result.counts == {"staff": 1, "advocates": 0, "activities": 11, "reward tiers": 4, "missions": 3}
    admin = session.scalars(select(StaffUser)).one()
    starters = session.scalars(select(Mission)).all()
    assert {m.activity.kind for m in starters} == {ActivityKind.REVIEW, ActivityKind.TESTIMONIAL,
                                                   ActivityKind.SOCIAL_POST}
    assert all(m.opens_at <= now < m.closes_at == m.opens_at + timedelta(days=365) for m in starters)
    assert all(m.created_by_id == admin.id and m.audience == {} for m in starters)


def test_the_default_trigger_rules_find_a_starter_mission(session, now):
    set_up(session, now)
    advocate = make_advocate(session)
    result = triggers.record_event(session, event_type="nps_submitted",
                                   advocate=triggers.AdvocateRef(email=advocate.email),
                                   occurred_at=now - timedelta(hours=1), data={"score": 10}, source="api",
                                   actor_id=None, now=now)
    assert result.ask is not None and result.ask.state == AskState.SENT
    assert result.ask.mission.title == "Review us on a review site"


def test_a_new_advocate_has_a_way_to_silver(session, now):
    set_up(session, now)
    advocate = make_advocate(session)
    progress = status_service.progress(
        session, advocate, now, offers=eligibility.offers_for(session, advocate, now))
    assert progress.next_status == Status.SILVER
    way = progress.requirements[1].way
    assert way.mission is not None
    assert way.mission.activity.kind in (ActivityKind.REVIEW, ActivityKind.TESTIMONIAL)


@pytest.mark.parametrize(("values", "field"), [
    ({"admin_email": "not an email"}, "admin_email"),
    ({"admin_name": ""}, "name"),
    ({"admin_name": "x" * 121}, "name"),
    ({"program_name": " "}, "program_name"),
])
def test_bad_input_is_refused_before_anything_is_written(session, now, values, field):
    with pytest.raises(ValidationFailed) as error:
        set_up(session, now, **values)
    assert error.value.field == field
    assert program_setup.contents(session) == dict.fromkeys(program_setup.contents(session), 0)
