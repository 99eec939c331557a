"""The advocate's picture: uploaded, cropped to a square, shown where their initials would be (never for
a hidden advocate), removed, gone with an erasure and included in their data download."""

import base64
import json
from io import BytesIO
from pathlib import Path

from PIL import Image

from app.extensions import db
from app.models import Status
from app.services import feed
from app.services.people import avatars
from tests.factories import PASSWORD, fund, make_advocate


def _image(fmt="PNG", size=(600, 400)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def _upload(client, data: bytes, name="me.png"):
    return client.post("/portal/profile/avatar", data={"avatar": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_an_uploaded_avatar_is_resized_shown_in_the_header_and_removable(app, login):
    advocate = make_advocate(db.session, name="Ada Lovelace")
    db.session.commit()
    client = login(advocate)
    assert _upload(client, _image("JPEG"), "me.jpg").status_code == 302
    db.session.refresh(advocate)
    token = advocate.avatar
    assert token
    page = client.get("/portal/").get_data(as_text=True)
    src = f"/portal/avatars/{advocate.id}/{token}"
    assert f'src="{src}"' in page
    with client.get(src) as picture:
        assert picture.status_code == 200 and picture.mimetype == "image/png"
        assert picture.headers["Cache-Control"] == "private, max-age=86400"  # never a shared cache
        assert Image.open(BytesIO(picture.data)).size == (256, 256)
    with client.get(f"/portal/avatars/{advocate.id}/{'0' * 32}") as other:
        assert other.status_code == 404
    client.post("/portal/profile/avatar/remove")
    db.session.refresh(advocate)
    assert advocate.avatar == ""
    assert 'aria-hidden="true">AL</span>Profile' in client.get("/portal/").get_data(as_text=True)
    with client.get(src) as gone:
        assert gone.status_code == 404


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field(app, login):
    advocate = make_advocate(db.session)
    db.session.commit()
    client = login(advocate)
    answer = _upload(client, b"%PDF-1.4 not a picture", "me.png")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="avatar-error"' in html and "not a PNG, JPEG or WebP image" in html
    db.session.refresh(advocate)
    assert advocate.avatar == ""


def _with_picture(client, advocate) -> str:
    assert _upload(client, _image()).status_code == 302
    db.session.refresh(advocate)
    return f"/portal/avatars/{advocate.id}/{advocate.avatar}"


def test_a_wide_picture_is_cropped_to_its_centre_not_padded(app, login):
    wide = Image.new("RGB", (900, 300), (0, 0, 255))
    wide.paste((255, 0, 0), (300, 0, 600, 300))  # red in the middle third, blue at the sides
    out = BytesIO()
    wide.save(out, format="PNG")
    advocate = make_advocate(db.session)
    db.session.commit()
    client = login(advocate)
    assert _upload(client, out.getvalue()).status_code == 302
    db.session.refresh(advocate)
    with client.get(f"/portal/avatars/{advocate.id}/{advocate.avatar}") as answer:
        picture = Image.open(BytesIO(answer.data)).convert("RGBA")
    assert picture.size == (256, 256)
    for corner in ((0, 0), (255, 0), (0, 255), (255, 255)):
        red, green, blue, alpha = picture.getpixel(corner)
        assert alpha == 255 and red > 200 and blue < 50  # the centre fills it: no transparent band, no blue


def test_pictures_show_on_the_leaderboard_and_feed_but_never_for_a_hidden_advocate(app, login, now):
    shown = fund(db.session, make_advocate(db.session, name="Shown Person", status=Status.GOLD), 300)
    hidden = fund(db.session, make_advocate(db.session, name="Hidden Person", leaderboard_opt_out=True), 200)
    viewer = fund(db.session, make_advocate(db.session, name="Viewer"), 10)
    db.session.commit()
    folder = avatars.folder_in(app.config["UPLOAD_FOLDER"])
    for advocate in (shown, hidden):
        avatars.set_avatar(db.session, advocate=advocate, folder=folder, data=_image())
    for advocate in (shown, hidden):
        feed.record(db.session, kind="testimonial", advocate_id=advocate.id,
                    subject=f"testimonial:{advocate.id}", text="says it is great", occurred_at=now)
    db.session.commit()
    shown_src = f"/portal/avatars/{shown.id}/{shown.avatar}"
    client = login(viewer)
    with client.get(shown_src) as picture:
        assert picture.status_code == 200
    for page in ("/portal/leaderboard", "/portal/community"):
        html = client.get(page).get_data(as_text=True)
        assert f'src="{shown_src}"' in html, page
        assert hidden.avatar not in html and "Hidden Person" not in html, page


def test_erasure_deletes_the_picture_and_the_download_includes_it(app, login):
    advocate = make_advocate(db.session, name="Ada Lovelace")
    db.session.commit()
    client = login(advocate)
    src = _with_picture(client, advocate)
    with client.get(src) as answer:
        stored = Image.open(BytesIO(answer.data))
    export = json.loads(client.get("/portal/profile/export").get_data(as_text=True))
    uri = export["profile"]["picture"]
    assert uri.startswith("data:image/png;base64,")
    assert Image.open(BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size == stored.size
    folder = app.config["UPLOAD_FOLDER"]
    file = Path(folder) / "avatars" / advocate.avatar
    assert file.is_file()
    answer = client.post("/portal/profile/erase", data={"password": PASSWORD, "understood": "y"})
    assert answer.status_code == 302
    db.session.refresh(advocate)
    assert advocate.avatar == "" and not file.exists()


def test_the_download_says_no_picture_when_there_is_none(app, login):
    advocate = make_advocate(db.session)
    db.session.commit()
    export = json.loads(login(advocate).get("/portal/profile/export").get_data(as_text=True))
    assert export["profile"]["picture"] is None
