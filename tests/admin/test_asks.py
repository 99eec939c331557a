"""Asks in the staff area: pushing a mission through the governor, the push result, the ask queue
and the askability panel on an advocate's record."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Ask, AskPush, AskReason, AskState
from tests.conftest import session_token
from tests.factories import make_activity, make_advocate, make_mission, make_staff


def count(session, model):
    return session.scalar(select(func.count(model.id)))


def past_ask(session, advocate, *, days_ago, now):
    """An ask sent `days_ago` for some other mission (what the frequency cap counts)."""
    other = make_mission(session, opens_at=now - timedelta(days=days_ago + 1))
    ask = Ask(advocate_id=advocate.id, mission_id=other.id, activity_id=other.activity_id,
              state=AskState.SENT, counts_as_ask=True, priority=1, created_at=now - timedelta(days=days_ago),
              sent_at=now - timedelta(days=days_ago))
    session.add(ask)
    session.flush()
    return ask


def queued_ask(session, advocate, mission, *, until, priority=1):
    ask = Ask(advocate_id=advocate.id, mission_id=mission.id, activity_id=mission.activity_id,
              state=AskState.QUEUED, reason=AskReason.FREQUENCY_CAP, queued_until=until, priority=priority,
              counts_as_ask=True, created_at=until - timedelta(days=50))
    session.add(ask)
    session.flush()
    return ask


@pytest.fixture
def mission(session, now):
    # Open long enough that an advocate asked 10 days ago is queued (askable again in 50 days), not blocked.
    made = make_mission(session, title="Review us on G2", closes_at=now + timedelta(days=120),
                        activity=make_activity(session, name="G2 review"))
    session.commit()
    return made


@pytest.fixture
def trio(session, now):
    """One askable advocate, one asked 10 days ago, one with NPS 5; all tagged "beta"."""
    ready = make_advocate(session, name="Ada Ready", tags=["beta"], company="Analytical Ltd")
    recent = make_advocate(session, name="Rita Recent", tags=["beta"])
    past_ask(session, recent, days_ago=10, now=now)
    unhappy = make_advocate(session, name="Nico Unhappy", tags=["beta"], nps=5)
    make_advocate(session, name="Otto Outside", tags=["other"])
    session.commit()
    return ready, recent, unhappy


def push(client, mission, **data):
    form = {"priority": "1", "push": "Push to advocates", **data}
    return client.post(f"/admin/missions/{mission.id}/push", data=form)


# -- who may do what ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/admin/missions/{m}/push", "/admin/pushes/1", "/admin/asks/queue"])
def test_anonymous_visitors_are_sent_to_sign_in(client, mission, url):
    response = client.get(url.format(m=mission.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ["/admin/missions/{m}/push", "/admin/pushes/1", "/admin/asks/queue"])
def test_advocates_are_refused(as_role, client, mission, url):
    as_role("advocate")
    assert client.get(url.format(m=mission.id)).status_code == 403


def test_a_csm_can_read_the_queue_but_not_push_or_drop(as_role, client, session, mission, trio, now):
    csm = as_role("csm")
    mine = make_advocate(session, name="Owned By Csm", owner_id=csm.id)
    ask = queued_ask(session, mine, mission, until=now + timedelta(days=5))
    session.commit()
    assert client.get(f"/admin/missions/{mission.id}/push").status_code == 403
    assert push(client, mission).status_code == 403
    assert client.get("/admin/pushes/1").status_code == 403
    assert client.post(f"/admin/asks/{ask.id}/drop").status_code == 403
    queue = client.get("/admin/asks/queue")
    assert queue.status_code == 200 and "Owned By Csm" in queue.get_data(as_text=True)
    assert ">Drop" not in queue.get_data(as_text=True)
    assert count(session, AskPush) == 0 and session.get(Ask, ask.id).state == AskState.QUEUED


def test_a_csm_sees_only_their_own_advocates_in_the_queue(as_role, client, session, mission, now):
    csm = as_role("csm")
    queued_ask(session, make_advocate(session, name="Owned By Csm", owner_id=csm.id), mission,
               until=now + timedelta(days=5))
    queued_ask(session, make_advocate(session, name="Someone Else"), mission, until=now + timedelta(days=6))
    session.commit()
    page = client.get("/admin/asks/queue").get_data(as_text=True)
    assert "Owned By Csm" in page and "Someone Else" not in page


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_marketing_and_admin_open_the_push_page(as_role, client, mission, trio, role):
    as_role(role)
    page = client.get(f"/admin/missions/{mission.id}/push").get_data(as_text=True)
    assert "Push to advocates" in page and 'value="beta"' in page


def test_the_nav_shows_the_ask_queue_to_every_staff_role(as_role, client):
    as_role("csm")
    assert "/admin/asks/queue" in client.get("/admin/").get_data(as_text=True)


# -- pushing ---------------------------------------------------------------------------------------

def test_a_push_reports_sent_queued_and_blocked_with_reasons(as_role, client, session, mission, trio, now):
    ready, recent, unhappy = trio
    as_role("marketing")
    response = push(client, mission, tags=["beta"], priority="2")
    assert response.status_code == 302
    created = session.scalars(select(AskPush)).one()
    assert response.headers["Location"].endswith(f"/admin/pushes/{created.id}")
    assert created.priority == 2
    states = {a.advocate_id: a.state for a in session.scalars(select(Ask).where(Ask.push_id == created.id))}
    assert states == {ready.id: AskState.SENT, recent.id: AskState.QUEUED, unhappy.id: AskState.BLOCKED}

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for state, expected in (("sent", 1), ("queued", 1), ("blocked", 1)):
        assert f'id="count-{state}"><span class="value">{expected}</span>' in page
    assert "Frequency cap" in page and "NPS below 7" in page
    until = (now - timedelta(days=10) + timedelta(days=60)).strftime("%d %b %Y")
    assert until in page
    assert "Otto Outside" not in page
    assert f'/admin/advocates/{ready.id}"' in page


def test_the_result_can_be_filtered_by_outcome(as_role, client, session, mission, trio):
    as_role("marketing")
    location = push(client, mission, tags=["beta"]).headers["Location"]
    page = client.get(location + "?state=queued").get_data(as_text=True)
    assert "Rita Recent" in page and "Ada Ready" not in page and "Nico Unhappy" not in page
    assert "Ada Ready" in client.get(location + "?state=bogus").get_data(as_text=True)


def test_previous_pushes_are_listed_on_the_push_page(as_role, client, mission, trio):
    as_role("marketing")
    push(client, mission, tags=["beta"])
    page = client.get(f"/admin/missions/{mission.id}/push").get_data(as_text=True)
    assert "Tags: beta" in page and "1 sent · 1 queued · 1 blocked" in page


def test_preview_counts_the_segment_and_writes_nothing(as_role, client, session, mission, trio):
    as_role("marketing")
    response = client.post(f"/admin/missions/{mission.id}/push", data={"tags": ["beta"], "priority": "1",
                                                                        "preview": "Preview"})
    assert response.status_code == 200
    assert '<strong>3</strong> advocates in this segment' in response.get_data(as_text=True)
    assert count(session, AskPush) == 0 and count(session, Ask) == 1  # only trio's earlier ask


@pytest.mark.parametrize("priority", ["7", "high", "-1"])
def test_a_bad_priority_is_refused_next_to_the_field(as_role, client, session, mission, trio, priority):
    as_role("marketing")
    response = push(client, mission, priority=priority)
    assert response.status_code == 200
    assert 'id="priority-error"' in response.get_data(as_text=True)
    assert count(session, AskPush) == 0 and count(session, Ask) == 1


def test_an_empty_segment_is_refused_next_to_the_filters(as_role, client, session, mission, trio):
    as_role("marketing")
    response = push(client, mission, statuses=["platinum"])
    assert response.status_code == 200
    assert 'id="segment-error"' in response.get_data(as_text=True)
    assert count(session, AskPush) == 0 and count(session, Ask) == 1


def test_an_unknown_filter_value_is_refused_next_to_its_group(as_role, client, session, mission, trio):
    as_role("marketing")
    response = push(client, mission, tags=["nonexistent"])
    assert 'id="tags-error"' in response.get_data(as_text=True)
    assert count(session, AskPush) == 0


def test_a_closed_mission_cannot_be_pushed(as_role, client, session, trio, now):
    as_role("marketing")
    closed = make_mission(session, opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=1))
    session.commit()
    page = client.get(f"/admin/missions/{closed.id}/push").get_data(as_text=True)
    assert "only open missions can be pushed" in page and 'name="push"' not in page
    push(client, closed)
    assert count(session, AskPush) == 0


def test_the_push_link_shows_only_for_open_missions(as_role, client, session, mission, now):
    as_role("marketing")
    closed = make_mission(session, opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=1))
    session.commit()
    assert f"/admin/missions/{mission.id}/push" in client.get("/admin/missions").get_data(as_text=True)
    assert f"/admin/missions/{mission.id}/push" in client.get(f"/admin/missions/{mission.id}").get_data(
        as_text=True)
    assert "/push" not in client.get("/admin/missions?view=closed").get_data(as_text=True)
    assert "/push" not in client.get(f"/admin/missions/{closed.id}").get_data(as_text=True)


def test_forms_need_a_csrf_token(app_factory, now):
    from app.extensions import db

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        staff = make_staff(db.session)
        target = make_mission(db.session)
        make_advocate(db.session)
        ask = queued_ask(db.session, make_advocate(db.session), make_mission(db.session),
                         until=now + timedelta(days=3))
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(staff), True
        assert client.post(f"/admin/missions/{target.id}/push", data={"priority": "1"}).status_code == 400
        assert client.post(f"/admin/asks/{ask.id}/drop").status_code == 400
        assert count(db.session, AskPush) == 0
        assert db.session.get(Ask, ask.id).state == AskState.QUEUED
        db.session.remove()


# -- the queue -------------------------------------------------------------------------------------

def test_the_queue_lists_soonest_first_and_drop_removes_one(as_role, client, session, mission, now):
    as_role("marketing")
    later = queued_ask(session, make_advocate(session, name="Later Larry"), mission,
                       until=now + timedelta(days=9))
    queued_ask(session, make_advocate(session, name="Sooner Sue"), mission, until=now + timedelta(days=2),
               priority=0)
    session.commit()
    page = client.get("/admin/asks/queue").get_data(as_text=True)
    assert page.index("Sooner Sue") < page.index("Later Larry")
    assert "Frequency cap" in page and "Low" in page and "Normal" in page

    response = client.post(f"/admin/asks/{later.id}/drop", data={"confirmed": "yes"}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Dropped the queued ask to Later Larry" in body
    assert "Later Larry" not in body.split("<h1>Ask queue</h1>", 1)[1]
    session.expire_all()
    assert session.get(Ask, later.id).state == AskState.DROPPED


# -- the advocate's record -------------------------------------------------------------------------

def test_the_record_shows_when_an_advocate_is_askable_again(as_role, client, session, trio, now):
    ready, recent, unhappy = trio
    as_role("marketing")
    page = client.get(f"/admin/advocates/{recent.id}").get_data(as_text=True)
    again = (now + timedelta(days=50)).strftime("%d %b %Y")
    assert f"Askable again on {again}" in page and "Frequency cap" in page
    assert "Askable now" in client.get(f"/admin/advocates/{ready.id}").get_data(as_text=True)
    blocked = client.get(f"/admin/advocates/{unhappy.id}").get_data(as_text=True)
    assert "Not askable" in blocked and "NPS below 7" in blocked


def test_the_record_lists_recent_asks(as_role, client, session, mission, trio):
    ready, recent, unhappy = trio
    as_role("marketing")
    push(client, mission, tags=["beta"])
    page = client.get(f"/admin/advocates/{recent.id}").get_data(as_text=True)
    assert "Review us on G2" in page and "pill-queued" in page and "pill-sent" in page


def test_a_csm_sees_the_asks_panel_for_their_own_advocate_only(as_role, client, session, now):
    csm = as_role("csm")
    mine = make_advocate(session, owner_id=csm.id)
    past_ask(session, mine, days_ago=10, now=now)
    other = make_advocate(session)
    session.commit()
    assert "Askable again on" in client.get(f"/admin/advocates/{mine.id}").get_data(as_text=True)
    assert client.get(f"/admin/advocates/{other.id}").status_code == 404
