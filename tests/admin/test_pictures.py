"""A reward's picture and a mission's banner in the admin: uploaded on the edit page (cropped to the
kind's box), a wrong file refused next to the field with nothing changed, removed, and kept to staff
who curate the catalog."""

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from app.services import pictures
from app.services.branding import images
from tests.factories import make_mission, make_reward


def png(size=(1200, 900), colour=(20, 120, 200)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def upload(client, url: str, data: bytes, name="photo.png"):
    answer = client.post(url, data={"picture": (BytesIO(data), name)}, content_type="multipart/form-data")
    answer.request.environ["wsgi.input"].close()  # the test client spools a large body to a file, left open
    return answer


def _stored(app, kind: str, token: str) -> Path:
    return pictures.folder_in(app.config["UPLOAD_FOLDER"], kind) / token


@pytest.mark.parametrize("kind, box", [("reward", (640, 400)), ("mission", (960, 320))])
def test_marketing_uploads_a_picture_sees_it_and_removes_it(app, as_role, client, session, kind, box):
    as_role("marketing")
    item = make_reward(session) if kind == "reward" else make_mission(session)
    session.commit()
    base = f"/admin/{kind}s/{item.id}"
    answer = upload(client, f"{base}/picture", png())
    assert answer.status_code == 302 and answer.headers["Location"] == base
    session.refresh(item)
    token = item.picture
    assert token
    with Image.open(_stored(app, kind, token)) as stored:
        assert stored.size == box
    src = f"/pictures/{kind}/{item.id}/{token}"
    assert f'src="{src}"' in client.get(base).get_data(as_text=True)  # the staff preview
    with client.get(src) as served:
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert "private" in served.headers["Cache-Control"]

    upload(client, f"{base}/picture", png(colour=(200, 20, 20)))  # a new one replaces the old file
    session.refresh(item)
    assert item.picture != token and not _stored(app, kind, token).exists()
    assert client.get(src).status_code == 404

    assert client.post(f"{base}/picture/remove").status_code == 302
    session.refresh(item)
    assert item.picture == ""
    assert not list(pictures.folder_in(app.config["UPLOAD_FOLDER"], kind).iterdir())
    assert "/pictures/" not in client.get(base).get_data(as_text=True)


@pytest.mark.parametrize("kind", ["reward", "mission"])
@pytest.mark.parametrize("data, name, reason", [
    (b"%PDF-1.4 not a picture", "photo.png", "not a PNG, JPEG or WebP image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * images.MAX_BYTES, "big.png", "too large: the limit is 2 MB"),
])
def test_a_wrong_file_is_refused_next_to_the_field_and_changes_nothing(app, as_role, client, session, kind,
                                                                      data, name, reason):
    as_role("admin")
    item = make_reward(session) if kind == "reward" else make_mission(session)
    session.commit()
    assert upload(client, f"/admin/{kind}s/{item.id}/picture", png()).status_code == 302
    session.refresh(item)
    before = item.picture
    answer = upload(client, f"/admin/{kind}s/{item.id}/picture", data, name)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="picture-error"' in html and reason in html
    assert 'aria-invalid="true"' in html
    session.refresh(item)
    assert item.picture == before
    assert [p.name for p in pictures.folder_in(app.config["UPLOAD_FOLDER"], kind).iterdir()] == [before]


def test_the_refused_mission_page_still_shows_the_saved_mission(as_role, client, session):
    as_role("marketing")
    mission = make_mission(session, title="Review us on G2")
    session.commit()
    html = upload(client, f"/admin/missions/{mission.id}/picture", b"nope", "x.png").get_data(as_text=True)
    assert 'value="Review us on G2"' in html and "This field is required" not in html


def test_a_new_reward_page_says_the_picture_comes_after_saving(as_role, client):
    as_role("marketing")
    assert "once the reward is added" in client.get("/admin/rewards/new").get_data(as_text=True)


@pytest.mark.parametrize("role", ["csm", "advocate"])
@pytest.mark.parametrize("kind", ["reward", "mission"])
def test_only_curators_upload_or_remove(as_role, client, session, role, kind):
    item = make_reward(session) if kind == "reward" else make_mission(session)
    session.commit()
    as_role(role)
    for url in (f"/admin/{kind}s/{item.id}/picture", f"/admin/{kind}s/{item.id}/picture/remove"):
        assert upload(client, url, png()).status_code == 403
    session.refresh(item)
    assert item.picture == ""


def test_no_such_reward_stores_nothing(app, as_role, client):
    as_role("admin")
    answer = upload(client, "/admin/rewards/999/picture", png())
    assert answer.status_code == 302  # the house's answer to a post about a missing row: back, with a flash
    assert not pictures.folder_in(app.config["UPLOAD_FOLDER"], "reward").exists()
