"""Twenty admins creating an API key with one name at once: one live key, nineteen friendly refusals
(the service's check, and the partial unique index uq_api_key_live_name when two pass it together)."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ApiKey, ApiScope, StaffUser
from app.services import clock
from app.services.api import keys as api_keys
from tests.reliability.conftest import THREADS, race


def _create(name: str):
    def work(session):
        api_keys.create_key(session, name=name, scope=ApiScope.WRITE, created_by=None, now=clock.utcnow())
    return work


def _live(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiKey).where(
            ApiKey.name == name, ApiKey.revoked_at.is_(None)))


def test_twenty_concurrent_creations_with_one_name_make_one_live_key(race_app):
    outcomes = race(race_app, _create("CRM sync"))
    assert outcomes == {"ok": 1, "ValidationFailed": THREADS - 1}
    assert _live(race_app, "CRM sync") == 1
    with race_app.app_context():  # the losers' actor rows rolled back with them
        assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 1


def test_a_revoked_keys_name_can_be_taken_again_by_one_of_twenty(race_app):
    with race_app.app_context():
        made = api_keys.create_key(db.session, name="CRM sync", scope=ApiScope.READ, created_by=None,
                                   now=clock.utcnow())
        api_keys.revoke_key(db.session, key_id=made.key.id, now=clock.utcnow())
        db.session.commit()
    outcomes = race(race_app, _create("CRM sync"))
    assert outcomes == {"ok": 1, "ValidationFailed": THREADS - 1}
    assert _live(race_app, "CRM sync") == 1


def test_the_index_itself_refuses_a_second_live_name_when_the_check_is_bypassed(race_app, monkeypatch):
    """With the service's check out of the way (as when two requests pass it at once), the database
    refuses the second live key; the service turns that into the same field error."""
    from app.services.errors import ValidationFailed

    with race_app.app_context():
        api_keys.create_key(db.session, name="CRM sync", scope=ApiScope.READ, created_by=None,
                            now=clock.utcnow())
        db.session.commit()
        calls = []
        real = api_keys.active_keys_named

        def first_sees_nothing(session, name):
            calls.append(name)
            return [] if len(calls) == 1 else real(session, name)

        monkeypatch.setattr(api_keys, "active_keys_named", first_sees_nothing)
        with pytest.raises(ValidationFailed, match="already named") as refused:
            api_keys.create_key(db.session, name="CRM sync", scope=ApiScope.READ, created_by=None,
                                now=clock.utcnow())
        assert refused.value.field == "name" and len(calls) == 2
        db.session.rollback()
        with pytest.raises(IntegrityError):  # the bare index, without the service's translation
            db.session.add(ApiKey(name="CRM sync", scope=ApiScope.READ, prefix="rp_x", key_hash="0" * 64,
                                  actor_id=db.session.scalars(select(StaffUser.id)).first(),
                                  created_at=clock.utcnow()))
            db.session.flush()
        db.session.rollback()
    assert _live(race_app, "CRM sync") == 1
