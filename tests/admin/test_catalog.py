"""Activity catalog and reward-tier bands."""

from sqlalchemy import func, select

from app.models import ActivityType, RewardTierBand
from tests.factories import make_activity, make_band


def activity_form(band, **overrides):
    data = {"key": "review_g2", "name": "Review on G2", "description": "Write a review.", "kind": "review",
            "effort": "low", "value": "high", "reward_tier_id": str(band.id), "cooldown_days": "180",
            "min_status": "bronze", "expires_after_days": "14", "evidence": "link",
            "requires_approval": "y", "counts_as_ask": "y", "active": "y"}
    data.update(overrides)
    return data


def count_activities(session):
    return session.scalar(select(func.count(ActivityType.id)))


def test_marketing_creates_an_activity_with_every_field(as_role, client, session):
    as_role("marketing")
    band = make_band(session, points=150)
    session.commit()
    response = client.post("/admin/activities/new", data=activity_form(band, counts_as_ask=""))
    assert response.status_code == 302
    activity = session.scalars(select(ActivityType).where(ActivityType.key == "review_g2")).one()
    assert (activity.cooldown_days, activity.expires_after_days, activity.evidence.value) == (180, 14, "link")
    assert activity.requires_approval and not activity.counts_as_ask and activity.reward_tier_id == band.id


def test_a_duplicate_key_is_refused_next_to_the_field_and_nothing_changes(as_role, client, session):
    as_role("marketing")
    existing = make_activity(session, key="review_g2")
    session.commit()
    before = count_activities(session)
    response = client.post("/admin/activities/new", data=activity_form(existing.reward_tier))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="key-error"' in page and "already uses this key" in page
    assert count_activities(session) == before


def test_negative_numbers_are_refused(as_role, client, session):
    as_role("admin")
    band = make_band(session)
    session.commit()
    response = client.post("/admin/activities/new", data=activity_form(band, cooldown_days="-3"))
    assert 'id="cooldown_days-error"' in response.get_data(as_text=True)
    assert "at least 0" in response.get_data(as_text=True)
    assert count_activities(session) == 0


def test_editing_an_activity_saves_the_change(as_role, client, session):
    as_role("marketing")
    activity = make_activity(session, key="survey")
    session.commit()
    data = activity_form(activity.reward_tier, key="survey", name="NPS survey",
                         version_id=str(activity.version_id))
    assert client.post(f"/admin/activities/{activity.id}", data=data).status_code == 302
    session.refresh(activity)
    assert activity.name == "NPS survey" and activity.version_id == 2


def test_an_edit_over_someone_elses_change_asks_to_reload(as_role, client, session):
    as_role("marketing")
    activity = make_activity(session, key="survey", name="Original")
    session.commit()
    stale = str(activity.version_id)
    activity.name = "Changed by a colleague"
    session.commit()
    data = activity_form(activity.reward_tier, key="survey", name="Mine", version_id=stale)
    response = client.post(f"/admin/activities/{activity.id}", data=data)
    assert response.status_code == 200
    assert "Someone else changed this" in response.get_data(as_text=True)
    session.refresh(activity)
    assert activity.name == "Changed by a colleague"


def test_band_points_change_and_the_page_says_it_is_for_future_awards(as_role, client, session):
    as_role("marketing")
    band = make_band(session, points=150, name="Plus")
    session.commit()
    page = client.get("/admin/bands").get_data(as_text=True)
    assert "future approvals only" in page
    response = client.post(f"/admin/bands/{band.id}", data={f"band{band.id}-name": "Plus",
                                                              f"band{band.id}-points": "200"})
    assert response.status_code == 302
    session.refresh(band)
    assert band.points == 200


def test_band_with_negative_points_is_refused(as_role, client, session):
    as_role("marketing")
    band = make_band(session, points=150)
    session.commit()
    response = client.post(f"/admin/bands/{band.id}", data={f"band{band.id}-name": "Plus",
                                                              f"band{band.id}-points": "-1"})
    assert f'id="band{band.id}-points-error"' in response.get_data(as_text=True)
    session.refresh(band)
    assert band.points == 150


def test_a_new_band_can_be_added(as_role, client, session):
    as_role("admin")
    client.post("/admin/bands/new", data={"new-name": "Elite", "new-points": "1000"})
    band = session.scalars(select(RewardTierBand)).one()
    assert (band.name, band.points, band.key) == ("Elite", 1000, "elite")


def test_an_edit_that_puts_silver_out_of_reach_is_refused_next_to_the_field(as_role, client, session):
    as_role("marketing")
    review = make_activity(session, key="review_g2", name="Review on G2")  # the only review or testimonial
    session.commit()
    data = activity_form(review.reward_tier, min_status="silver", version_id=str(review.version_id))
    html = client.post(f"/admin/activities/{review.id}", data=data).get_data(as_text=True)
    assert 'id="min_status-error"' in html and "Not saved: this would put Silver out of reach." in html
    assert "(Review on G2: Silver)" in html
    session.refresh(review)
    assert review.min_status.value == "bronze" and review.version_id == 1
