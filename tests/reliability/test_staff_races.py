"""Twenty admins each handing over their own admin role at once: the program keeps exactly one active admin
(the last-admin check runs on locked rows, one after another)."""

import itertools
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import StaffRole, StaffUser
from app.services import clock
from app.services.people import staff
from tests.factories import make_staff
from tests.reliability.conftest import THREADS, race


def test_concurrent_demotions_never_leave_the_program_without_an_admin(race_app):
    with race_app.app_context():
        ids = [make_staff(db.session, role=StaffRole.ADMIN).id for _ in range(THREADS)]
        db.session.commit()
    targets, lock = itertools.cycle(ids), threading.Lock()

    def demote(session):
        with lock:
            target = next(targets)
        actor = session.get(StaffUser, target)  # each demotes themselves: allowed while another admin is left
        staff.change_role(session, actor=actor, staff_id=target, role=StaffRole.MARKETING, now=clock.utcnow())

    outcomes = race(race_app, demote)
    assert outcomes == {"ok": THREADS - 1, "Conflict": 1}
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffUser)
                                 .where(StaffUser.role == StaffRole.ADMIN)) == 1
