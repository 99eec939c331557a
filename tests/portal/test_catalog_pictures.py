"""Reward pictures and mission banners on the portal: on the Rewards page's card and the reward's page,
on the mission's page and its card in the mission list, served only with the row's current token and
only to someone signed in; a reward or mission without one keeps its plain card."""

import re
from io import BytesIO

import pytest
from PIL import Image

from app.services import pictures
from tests.factories import make_advocate, make_mission, make_reward


def _give_picture(app, session, kind: str, item) -> str:
    out = BytesIO()
    Image.new("RGB", (800, 800), (10, 150, 90)).save(out, format="JPEG")
    folder = pictures.folder_in(app.config["UPLOAD_FOLDER"], kind)
    pictures.set_picture(session, kind=kind, item_id=item.id, folder=folder, data=out.getvalue())
    session.commit()
    return f"/pictures/{kind}/{item.id}/{item.picture}"


def _img(html: str, src: str) -> str:
    found = re.search(rf'<img [^>]*src="{re.escape(src)}"[^>]*>', html)
    assert found, f"no <img> with src {src}"
    return found.group(0)


@pytest.fixture
def advocate_client(session, login):
    advocate = make_advocate(session)
    session.commit()
    return login(advocate)


def test_a_reward_picture_shows_on_its_card_and_its_page(app, session, advocate_client):
    reward = make_reward(session, name="Team hoodie")
    plain = make_reward(session, name="Charity donation")
    src = _give_picture(app, session, "reward", reward)
    listing = advocate_client.get("/portal/rewards").get_data(as_text=True)
    card = _img(listing, src)
    assert 'alt=""' in card and 'width="640"' in card and 'height="400"' in card
    assert listing.count("/pictures/reward/") == 1 and "Charity donation" in listing  # no empty box
    assert listing.count("has-picture") == 1 and plain.picture == ""
    page = advocate_client.get(f"/portal/rewards/{reward.id}").get_data(as_text=True)
    assert 'alt=""' in _img(page, src)
    with advocate_client.get(src) as served:
        assert served.status_code == 200 and served.mimetype == "image/png"
        with Image.open(BytesIO(served.data)) as image:
            assert image.size == (640, 400)


def test_a_mission_banner_shows_on_its_page_and_its_card(app, session, advocate_client):
    mission = make_mission(session, title="Review us on G2")
    src = _give_picture(app, session, "mission", mission)
    page = advocate_client.get(f"/portal/missions/{mission.id}").get_data(as_text=True)
    banner = _img(page, src)
    assert 'alt=""' in banner and 'width="960"' in banner and 'height="320"' in banner
    listing = advocate_client.get("/portal/missions").get_data(as_text=True)
    assert "card-picture" in _img(listing, src)


def test_a_wrong_or_old_token_or_kind_is_a_404(app, session, advocate_client):
    reward = make_reward(session)
    src = _give_picture(app, session, "reward", reward)
    token = reward.picture
    assert advocate_client.get(f"/pictures/reward/{reward.id}/{'0' * 32}").status_code == 404
    assert advocate_client.get(f"/pictures/mission/{reward.id}/{token}").status_code == 404
    assert advocate_client.get(f"/pictures/badge/{reward.id}/{token}").status_code == 404
    assert advocate_client.get(f"/pictures/reward/{reward.id + 1}/{token}").status_code == 404
    _give_picture(app, session, "reward", reward)  # replaced: the old URL is gone
    assert advocate_client.get(src).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(app, session, client):
    reward = make_reward(session)
    src = _give_picture(app, session, "reward", reward)
    answer = client.get(src)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_an_advocate_cannot_upload_or_remove_a_picture(app, session, advocate_client):
    reward = make_reward(session)
    session.commit()
    answer = advocate_client.post(f"/admin/rewards/{reward.id}/picture", content_type="multipart/form-data",
                                  data={"picture": (BytesIO(b"\x89PNG\r\n\x1a\n"), "x.png")})
    assert answer.status_code == 403
    assert advocate_client.post(f"/admin/rewards/{reward.id}/picture/remove").status_code == 403
    session.refresh(reward)
    assert reward.picture == ""
