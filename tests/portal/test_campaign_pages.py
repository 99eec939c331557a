"""The campaign-day loop through the pages, on SQLite and PostgreSQL: the statements those pages build
once (with bind parameters: expanding lists, a bound LIMIT) must run on both engines, and the pages
must show what they showed before."""

import pytest

from app import create_app
from app.extensions import db
from app.models import Advocate, Evidence, LedgerReason, Referral, StaffRole, Status
from app.services import referrals
from app.services.points import ledger
from tests.conftest import make_config, session_token
from tests.factories import make_activity, make_advocate, make_mission, make_staff


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_app(request, app_factory, tmp_path):
    if request.param == "sqlite":
        yield app_factory()
        return
    app = create_app(make_config(request.getfixturevalue("pg_url"), str(tmp_path / "uploads")))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def signed_in(app, token):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def run(app, call, status):
    """One request in its own app context, as a server runs it."""
    with app.app_context():
        response = call()
    assert response.status_code == status, response.status_code
    return response


def get(app, client, path) -> str:
    return run(app, lambda: client.get(path), 200).get_data(as_text=True)


def post(app, client, path, **data) -> str:
    """The redirect's location."""
    return run(app, lambda: client.post(path, data=data), 302).location


def test_the_campaign_loop_on_both_engines(engine_app, now):
    app = engine_app
    with app.app_context():
        session = db.session
        maya = make_advocate(session, name="Maya Chen", company="Acme")
        rival = make_advocate(session, name="Rob Rival")
        ledger.post_entry(session, advocate_id=rival.id, amount=500, reason=LedgerReason.BONUS,
                          idempotency_key="rival", now=now)
        mission = make_mission(session, title="Review us on G2",
                               activity=make_activity(session, evidence=Evidence.TEXT, points=150))
        make_mission(session, title="Speak at our conference",
                     activity=make_activity(session, min_status=Status.GOLD))
        staff = make_staff(session, role=StaffRole.MARKETING)
        code = referrals.get_or_create_code(session, advocate_id=maya.id, now=now).code
        ids = maya.id, mission.id
        maya_client, staff_client = signed_in(app, session_token(maya)), signed_in(app, session_token(staff))
        db.session.remove()
    maya_id, mission_id = ids

    home = get(app, maya_client, "/portal/")
    assert "Hi Maya Chen" in home and "Review us on G2" in home and "Unlocks at Gold status." in home
    assert "Review us on G2" in get(app, maya_client, "/portal/missions")
    assert "Do the thing." in get(app, maya_client, f"/portal/missions/{mission_id}")
    attempt = post(app, maya_client, f"/portal/missions/{mission_id}/start")
    attempt_id = attempt.rsplit("/", 1)[1]
    assert "Submit your evidence" in get(app, maya_client, attempt)
    assert post(app, maya_client, f"{attempt}/submit", text="Posted it").endswith(attempt)
    assert "awaiting review" in get(app, maya_client, "/portal/")
    queue = get(app, staff_client, "/admin/approvals")
    assert "Maya Chen" in queue and "Posted it" in queue
    assert f'action="/admin/approvals/{attempt_id}/approve"' in queue
    post(app, staff_client, f"/admin/approvals/{attempt_id}/approve")
    assert "Nothing is waiting for approval." in get(app, staff_client, "/admin/approvals")
    board = get(app, maya_client, "/portal/leaderboard?period=all")
    assert board.index("Rob Rival") < board.index("Maya Chen") and "Your rank: <strong>#2</strong>" in board
    month = get(app, maya_client, "/portal/leaderboard?period=month&region=EMEA")
    assert "Your rank: <strong>#2</strong>" in month and '<option value="EMEA" selected>' in month
    assert "+150 pts" in get(app, maya_client, "/portal/")

    friend = app.test_client()
    assert "Acme" in get(app, friend, f"/r/{code}")
    assert post(app, friend, f"/r/{code}", name="Fran", email="fran@other.example").endswith("/thanks")
    with app.app_context():
        assert db.session.get(Advocate, maya_id).balance == 150
        assert db.session.query(Referral).filter_by(friend_email="fran@other.example").count() == 1
