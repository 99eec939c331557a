"""Portal request-test helpers: a signed-in advocate and missions started through the services."""

import pytest

from app.models import Evidence
from app.services import missions
from tests.factories import make_activity, make_advocate, make_mission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def advocate(session):
    return make_advocate(session, name="Maya Chen")


@pytest.fixture
def portal(login, advocate, session):
    """The test client signed in as `advocate` (data committed first)."""
    session.commit()
    return login(advocate)


def started(session, advocate, now, evidence=Evidence.LINK, **activity):
    """A mission of the given evidence kind, started by `advocate`; returns the attempt."""
    mission = make_mission(session, activity=make_activity(session, evidence=evidence, **activity))
    return missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
