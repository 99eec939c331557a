"""The brand in a real browser: an admin sets a colour and uploads a logo through the page; the header
shows the logo, buttons take the colour (through the generated stylesheet, which the CSP allows: no
console errors), and the advocate's home opens with the name and the welcome text at 375 px."""

from io import BytesIO

import pytest
from PIL import Image

from app.extensions import db
from app.models import StaffRole
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_advocate, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, tmp_path):
    app, base_url = live_server
    with app.app_context():
        make_staff(db.session, role=StaffRole.ADMIN, email="ada@example.com", name="Ada Admin")
        make_advocate(db.session, email="maya@example.com", name="Maya Thompson")
        db.session.commit()
    logo = tmp_path / "acme-logo.webp"
    out = BytesIO()
    Image.new("RGB", (1600, 400), (124, 45, 18)).save(out, format="WEBP")
    logo.write_bytes(out.getvalue())
    return base_url, logo


def test_an_admin_brands_the_program_and_the_advocate_sees_it(browser, program):
    base_url, logo = program
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "ada@example.com")
    page.goto(f"{base_url}/admin/brand")
    page.fill("#program_name", "Acme Insiders")
    page.fill("#brand_color", "#7C2D12")
    page.get_by_role("button", name="Save name and colour").click()
    page.set_input_files("#logo", str(logo))
    page.get_by_role("button", name="Upload logo").click()
    assert "Logo saved." in page.inner_text("main")
    header_logo = page.locator("header img.brand-logo")
    assert header_logo.evaluate("img => img.complete && img.naturalWidth") == 640  # resized server-side
    button = page.get_by_role("button", name="Upload logo")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(124, 45, 18)"
    assert errors == []

    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    phone_errors = watch_for_errors(phone)
    sign_in_with_keyboard(phone, base_url, "maya@example.com")
    welcome = phone.locator("section.welcome")
    assert welcome.inner_text().split()[:6] == ["ACME", "INSIDERS", "Hi", "Maya", "Thompson", "Thanks"]
    assert phone.locator("header .brand-name").inner_text() == "Acme Insiders"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone_errors == []
