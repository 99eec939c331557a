"""Admin → Brand: name, colour, logo and favicon (admin only), the welcome text (marketing too), and
where the brand shows: the header, the stylesheet, the favicon, the portal's home."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import ProgramSetting, StaffRole
from app.services.branding import images
from app.services.program import settings
from tests.conftest import session_token
from tests.factories import make_advocate, make_staff
from tests.services.branding.test_images import claimed_png, encoded


def upload(client, kind, data, name="logo.png"):
    # Encoded up front: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(MultiDict({kind: FileStorage(BytesIO(data), name)}))
    return client.post(f"/admin/brand/{kind}", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def fetched(app, url):
    """(status, mimetype, Cache-Control, nosniff, body) of a public GET; the file response is closed."""
    with app.test_client().get(url) as response:
        return (response.status_code, response.mimetype, response.headers.get("Cache-Control"),
                response.headers.get("X-Content-Type-Options"), response.data)


def error_of(response, field):
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return match and match.group(1)


def brand_files(app):
    folder = Path(app.config["UPLOAD_FOLDER"]) / "brand"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_admin_sets_name_and_colour_and_the_pages_carry_them(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/brand", data={"program_name": "Acme Insiders", "brand_color": "#0B5CAD"})
    assert response.status_code == 302
    cfg = settings.load(session)
    assert (cfg.program_name, cfg.brand_color) == ("Acme Insiders", "#0b5cad")
    page = client.get("/admin/brand").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/brand.css?v=0b5cad">' in page
    assert 'class="brand-name">Acme Insiders</span>' in page
    css = client.get("/brand.css?v=0b5cad")
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]
    assert "--pico-primary: #0b5cad;" in css.get_data(as_text=True)
    assert "immutable" not in client.get("/brand.css?v=ffffff").headers["Cache-Control"]


def test_a_low_contrast_colour_is_refused_next_to_the_field_and_changes_nothing(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/brand", data={"program_name": "Acme Insiders", "brand_color": "#f5c518"})
    assert response.status_code == 422
    assert re.search(r"White button text on #f5c518 has a contrast of 1\.\d\d:1; "
                     r"WCAG AA needs at least 4\.5:1", error_of(response, "brand_color"))
    assert session.query(ProgramSetting).count() == 0


@pytest.mark.parametrize(("data", "name", "reason"), [
    (b"MZ\x90\x00 this is an executable", "logo.png", "not a PNG, JPEG or WebP image"),
    (b"%PDF-1.7\n", "logo.jpg", "not a PNG, JPEG or WebP image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * images.MAX_BYTES, "big.png", "too large: the limit is 2 MB"),
    (claimed_png(8000, 8000), "bomb.png", "8,000 × 8,000 pixels, too many pixels"),
])
def test_a_bad_logo_is_refused_with_the_reason_and_changes_nothing(app, as_role, client, session, data, name,
                                                                     reason):
    as_role("admin")
    response = upload(client, "logo", data, name)
    assert response.status_code == 422
    assert reason in error_of(response, "logo")
    assert session.query(ProgramSetting).count() == 0
    assert brand_files(app) == []


def test_a_good_logo_is_resized_stored_and_served_as_png_with_long_cache(app, as_role, client, session):
    as_role("admin")
    assert upload(client, "logo", encoded((2000, 500), fmt="JPEG"), "logo.jpg").status_code == 302
    token = settings.load(session).brand_logo
    assert [path.name for path in brand_files(app)] == [token]
    page = client.get("/admin/brand").get_data(as_text=True)
    assert f'src="/brand/logo/{token}"' in page and 'class="brand-mark"' not in page
    status, mimetype, cache, nosniff, body = fetched(app, f"/brand/logo/{token}")  # public, as on /login
    assert (status, mimetype, nosniff) == (200, "image/png", "nosniff")
    assert cache == "public, max-age=31536000, immutable"
    assert Image.open(BytesIO(body)).size == (640, 160)
    assert fetched(app, f"/brand/logo/{'0' * 32}")[0] == 404
    assert fetched(app, f"/brand/favicon/{token}")[0] == 404  # not the favicon's token


def test_a_new_logo_replaces_the_old_file_and_removing_it_brings_back_the_default(app, as_role, client,
                                                                                  session):
    as_role("admin")
    upload(client, "logo", encoded((300, 100)))
    upload(client, "logo", encoded((400, 100), fmt="WEBP"), "logo.webp")
    token = settings.load(session).brand_logo
    assert [path.name for path in brand_files(app)] == [token]
    assert client.post("/admin/brand/logo/remove").status_code == 302
    assert settings.load(session).brand_logo == "" and brand_files(app) == []
    assert 'class="brand-mark"' in client.get("/admin/brand").get_data(as_text=True)


def test_a_favicon_is_square_and_linked_from_every_page(app, as_role, client, session):
    as_role("admin")
    assert upload(client, "favicon", encoded((300, 120)), "icon.png").status_code == 302
    token = settings.load(session).brand_favicon
    assert f'<link rel="icon" href="/brand/favicon/{token}" type="image/png">' in client.get(
        "/admin/").get_data(as_text=True)
    assert Image.open(BytesIO(fetched(app, f"/brand/favicon/{token}")[4])).size == (64, 64)


def test_the_portal_home_opens_with_the_program_name_and_the_welcome_text(as_role, client, session, now):
    changes = {"program_name": "Acme Insiders", "brand_color": "#7c2d12",
               "welcome_text": "Welcome <b>in</b>!\nSecond line."}
    settings.save(session, changes=changes, actor_id=None, now=now)
    session.commit()
    as_role("advocate")
    page = client.get("/portal/").get_data(as_text=True)
    welcome = page[page.index('<section class="welcome"'):]
    assert welcome.index("Acme Insiders") < welcome.index("Hi Advocate") < welcome.index("Welcome &lt;b&gt;")
    assert '<link rel="stylesheet" href="/brand.css?v=7c2d12">' in page


def test_marketing_edits_the_welcome_text_but_not_the_brand(as_role, client, session):
    as_role("marketing")
    assert client.post("/admin/welcome", data={"welcome_text": "Glad you are here."}).status_code == 302
    assert settings.load(session).welcome_text == "Glad you are here."
    assert client.get("/admin/brand").status_code == 403
    assert client.post("/admin/brand", data={"program_name": "Hijack", "brand_color": ""}).status_code == 403
    assert upload(client, "logo", encoded()).status_code == 403
    assert settings.load(session).program_name == "Rallypoint"
    nav = client.get("/admin/welcome").get_data(as_text=True)
    assert 'href="/admin/welcome"' in nav and 'href="/admin/brand"' not in nav


def test_a_too_long_welcome_text_is_refused_next_to_the_field(as_role, client, session):
    as_role("marketing")
    response = client.post("/admin/welcome", data={"welcome_text": "x" * 601})
    assert response.status_code == 422 and error_of(response, "welcome_text")
    assert session.query(ProgramSetting).count() == 0


@pytest.mark.parametrize("role", ["csm", "advocate"])
def test_other_roles_cannot_open_either_page(as_role, client, role):
    as_role(role)
    assert client.get("/admin/brand").status_code == 403
    assert client.get("/admin/welcome").status_code == 403


def test_brand_forms_need_a_csrf_token(app_factory):
    from app.extensions import db

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = make_staff(db.session, role=StaffRole.ADMIN)
        make_advocate(db.session)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(admin), True
        assert client.post("/admin/brand", data={"program_name": "X", "brand_color": ""}).status_code == 400
        assert upload(client, "logo", encoded()).status_code == 400
        assert client.post("/admin/welcome", data={"welcome_text": "x"}).status_code == 400
        assert db.session.query(ProgramSetting).count() == 0 and brand_files(app) == []
        db.session.remove()
